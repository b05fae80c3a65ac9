agent-reply-photos =
    Hola, { $first }:

    Sentimos muchísimo lo ocurrido con el pedido { $order }. Para solucionarlo cuanto antes, ¿podrías enviarnos dos o tres fotos del artículo, de su etiqueta y de la caja en la que llegó? En cuanto las tengamos te enviamos uno nuevo o te devolvemos el importe, lo que prefieras, sin ningún coste de devolución para ti.

    Un saludo,
    { $agent }
    Northwind Outfitters
customer-answer-photos =
    Hola { $agent }, te adjunto las fotos del artículo, la etiqueta y la caja. Gracias por la rapidez.
agent-reply-trace =
    Hola, { $first }:

    Gracias por tu paciencia. He revisado el pedido { $order }: el paquete está con { $carrier } con el número de seguimiento { $tracking }. Ya les hemos pedido una investigación completa y te daremos noticias en un máximo de dos días laborables. Si el paquete no aparece, te enviamos otro o te devolvemos el importe íntegro, como prefieras.

    Un saludo,
    { $agent }
customer-answer-trace =
    Gracias. Avisadme en cuanto sepáis algo, por favor; ya ha pasado bastante tiempo.
agent-reply-amend =
    Hola, { $first }:

    Buenas noticias: el pedido { $order } todavía no ha salido del almacén, así que aún podemos modificarlo. Lo he dejado en espera. ¿Nos confirmas exactamente el cambio que quieres y lo actualizamos enseguida?

    Un saludo,
    { $agent }
customer-answer-amend =
    Sí, por favor, adelante tal y como lo puse en mi primer mensaje. ¡Gracias!
agent-reply-invoice =
    Hola, { $first }:

    Gracias por los datos. He pedido a administración que emita una factura rectificativa del pedido { $order }. ¿Nos confirmas la razón social, la dirección y el NIF/CIF tal y como deben aparecer? Recibirás la nueva factura por email en dos días laborables.

    Un saludo,
    { $agent }
customer-answer-invoice =
    Sí, por favor, adelante tal y como lo puse en mi primer mensaje. ¡Gracias!
agent-reply-returns =
    Hola, { $first }:

    ¡Claro! Tienes 30 días desde la entrega para devolver o cambiar artículos sin usar y con sus etiquetas. He preparado la devolución del pedido { $order }: en breve recibirás por email una etiqueta prepagada. Si es un cambio, enviamos la nueva talla en cuanto el transportista escanee tu paquete. Los artículos de venta final y los de higiene abiertos (ropa interior, baño) solo se pueden devolver si son defectuosos.

    Un saludo,
    { $agent }
customer-answer-returns =
    ¡Perfecto, sí, adelante! Muchas gracias.
agent-reply-warehouse =
    Hola, { $first }:

    Sentimos que falte un artículo en el pedido { $order }. Hemos pedido al almacén que revise el registro de embalaje y el peso del paquete. En cuanto lo confirmen, te enviamos el artículo que falta por envío urgente sin coste y te pasamos el nuevo número de seguimiento.

    Un saludo,
    { $agent }
customer-answer-warehouse =
    Gracias. Avisadme en cuanto sepáis algo, por favor; ya ha pasado bastante tiempo.
agent-reply-money =
    Hola, { $first }:

    Gracias por avisarnos y perdona las molestias. He revisado los pagos del pedido { $order } con nuestra pasarela de pago y hemos abierto una incidencia con ellos. Una vez emitido un reembolso, suele tardar entre 5 y 10 días laborables en aparecer en tu cuenta; te enviaré la referencia en cuanto la tenga.

    Un saludo,
    { $agent }
customer-answer-money =
    Gracias. Avisadme en cuanto sepáis algo, por favor; ya ha pasado bastante tiempo.
agent-reply-security =
    Hola, { $first }:

    Muchas gracias por avisarnos, e hiciste bien en no pulsar el enlace. Ese mensaje no es nuestro: nunca pedimos pagos, datos de tarjeta ni documentos por SMS o mensajería, y nuestros emails solo llegan desde @northwind-outfitters.com. Ya hemos denunciado la web.

    Un saludo,
    { $agent }
customer-answer-security =
    Gracias. Avisadme en cuanto sepáis algo, por favor; ya ha pasado bastante tiempo.
agent-reply-outage =
    Hola, { $first }:

    Perdona las molestias. Nuestra pasarela de pago tuvo una incidencia esta mañana; ya está resuelta y el pago funciona de nuevo. Los intentos fallidos no se han cobrado.

    Un saludo,
    { $agent }
customer-answer-outage =
    Gracias. Avisadme en cuanto sepáis algo, por favor; ya ha pasado bastante tiempo.
agent-reply-general =
    Hola, { $first }:

    ¡Muchas gracias por tu mensaje! Se lo he pasado a todo el equipo. Si necesitas cualquier cosa, aquí estamos.

    Un saludo,
    { $agent }
customer-answer-general =
    Gracias. Avisadme en cuanto sepáis algo, por favor; ya ha pasado bastante tiempo.
