# Respuestas sugeridas, español. Ver en.ftl.

greeting-known = Hola, { $name }:
greeting-unknown = Hola:
signoff-known = Un saludo,
    Atención al cliente de { $shop }
signoff-unknown = Un saludo,
    Atención al cliente
reasons-intro = Por qué lo hemos decidido así:
policy-intro = Lo que dice nuestra política:
order-known = tu pedido { $order }
order-unknown = tu pedido
items-unknown = tus artículos
carrier-unknown = la empresa de transporte
amount-unknown = el importe
refund-when-known = antes del { $refund_date }
refund-when-unknown = en un plazo de 5 a 10 días hábiles
delivery-when-known = antes del { $delivery_date }
delivery-when-unknown = en unos días hábiles
tracking-known = Puedes seguir el paquete con { $carrier }, número de seguimiento { $tracking } ({ $tracking_url }).
tracking-known-no-link = Puedes seguir el paquete con { $carrier }, número de seguimiento { $tracking }.
tracking-unknown = Te enviaremos el número de seguimiento en cuanto el paquete esté en manos del transportista.
ordered-known = (realizado el { $order_date })
ordered-unknown = {""}

kind-cancel_order = Hemos recibido tu solicitud para cancelar { $order_ref } { $ordered }. Si todavía no ha salido de nuestro almacén, lo cancelamos enseguida y liberamos el pago; te lo confirmaremos en breve.
    .subject = Cancelación de { $order_ref }
kind-change_shipping_address = Gracias por avisarnos sobre la dirección de entrega de { $order_ref }. Respóndenos con la dirección nueva completa: mientras el paquete no esté con el transportista, la actualizamos.
    .subject = Dirección de entrega de { $order_ref }
kind-change_order_items = Hemos recibido tu solicitud para cambiar { $items } en { $order_ref }. Si el pedido aún no está preparado podemos modificarlo antes del envío; te confirmaremos los artículos nuevos y la diferencia de precio, si la hay.
    .subject = Modificación de { $order_ref }
kind-billing_info_error = Corregiremos los datos de facturación de { $order_ref }. Envíanos el nombre, la dirección y el NIF correctos y emitiremos una factura rectificada.
    .subject = Datos de facturación de { $order_ref }
kind-order_status = Esto es lo último sobre { $order_ref }. { $tracking_line } Debería llegar { $delivery_when }.
    .subject = Dónde está { $order_ref }
kind-not_received = Sentimos que { $order_ref } no te haya llegado. { $tracking_line } Lo estamos comprobando con { $carrier } y te responderemos en 2 días hábiles.
    .subject = { $order_ref } no ha llegado
kind-damaged_in_transit = Sentimos que { $items } haya llegado dañado. ¿Puedes enviarnos una foto del artículo y de la caja? Lo solucionaremos en cuanto las veamos.
    .subject = Artículo dañado en { $order_ref }
kind-wrong_item_received = Lo sentimos, te enviamos un artículo equivocado en { $order_ref }. ¿Puedes mandarnos una foto de lo que recibiste? Te enviaremos { $items } enseguida.
    .subject = Artículo equivocado en { $order_ref }
kind-missing_item = Sentimos que { $items } no viniera en { $order_ref }. Lo estamos revisando con el almacén y te enviaremos lo que falta.
    .subject = Falta un artículo en { $order_ref }
kind-not_as_described = Sentimos que { $items } no sea lo que esperabas por la descripción. ¿Puedes contarnos en qué se diferencia, con una foto si es posible?
    .subject = Sobre { $items }
kind-defective_item = Sentimos que { $items } no funcione como debería. ¿Puedes describir el fallo y enviarnos una foto o un vídeo corto? Está cubierto por nuestra garantía.
    .subject = Artículo defectuoso en { $order_ref }
kind-return_request = Gracias por tu mensaje. Puedes devolver { $items } de { $order_ref }: te enviaremos una etiqueta de devolución y te reembolsaremos cuando el paquete nos llegue.
    .subject = Devolución de { $items }
kind-exchange_request = Encantados de ayudarte a cambiar { $items }. Dinos qué talla o color prefieres y te enviaremos una etiqueta de devolución gratuita.
    .subject = Cambio de { $items }
kind-return_policy_question = Gracias por preguntar. Puedes iniciar una devolución o un cambio desde la página de tu pedido cuando quieras; abajo tienes las reglas principales.
    .subject = Nuestra política de devoluciones
kind-refund_status = Tu reembolso de { $amount } por { $order_ref } está en camino. Deberías verlo en tu extracto { $refund_when }.
    .subject = Tu reembolso de { $order_ref }
kind-wrong_charge = Sentimos lo del cargo de { $order_ref }. Estamos revisando el pago con nuestro proveedor; si te cobramos dos veces o de más, te devolveremos la diferencia completa.
    .subject = El cargo de { $order_ref }
kind-payment_not_reflected = Gracias por avisarnos. Estamos asociando tu pago a { $order_ref }; las transferencias pueden tardar de 1 a 3 días hábiles en llegarnos. Por favor, no pagues otra vez.
    .subject = Pago de { $order_ref }
kind-store_unavailable = Sentimos que nuestra tienda te haya dado problemas. Inténtalo de nuevo en unos minutos; si sigue fallando, respóndenos con una captura y te ayudamos a hacer el pedido.
    .subject = Problemas con nuestra tienda
kind-phishing_report = Gracias por avisarnos. Ese mensaje no es nuestro: nunca pedimos contraseñas ni números de tarjeta por correo o SMS. No pulses sus enlaces y, si introdujiste datos de tu tarjeta, llama a tu banco.
    .subject = Mensaje sospechoso en nuestro nombre
kind-other = Gracias por escribirnos. Hemos recibido tu mensaje y te responderemos lo antes posible.
    .subject = Tu mensaje

remedy-amend_order = Hemos modificado { $order_ref } como pediste: ahora incluye { $items } y se enviará como de costumbre.
    .subject = { $order_ref } modificado
remedy-cancel_order = Hemos cancelado { $order_ref }. Recibirás { $amount } en tu cuenta { $refund_when }.
    .subject = { $order_ref } cancelado
remedy-carrier_trace = Hemos abierto una investigación con { $carrier } sobre { $order_ref }. { $tracking_line } Te informaremos en 2 días hábiles; si el paquete se ha perdido, te enviaremos otro o te reembolsaremos.
    .subject = Estamos localizando { $order_ref }
remedy-reship = Te volvemos a enviar { $items } sin coste. { $tracking_line } Debería llegar { $delivery_when }.
    .subject = Reenvío de { $order_ref }
remedy-exchange = Tu cambio está aprobado: te enviaremos { $items } en cuanto tu devolución esté en camino. { $tracking_line }
    .subject = Tu cambio de { $order_ref }
remedy-return_refund = Tu devolución está aprobada. Envíanos { $items } con la etiqueta adjunta; cuando nos llegue te reembolsaremos { $amount }, que deberías ver { $refund_when }.
    .subject = Tu devolución de { $order_ref }
remedy-refund_keep_item = Te hemos reembolsado { $amount } por { $items } y puedes quedarte el artículo. Deberías ver el dinero { $refund_when }.
    .subject = Reembolso de { $order_ref }
remedy-partial_refund = Te hemos hecho un reembolso parcial de { $amount } por { $order_ref }. Deberías verlo { $refund_when }.
    .subject = Reembolso parcial de { $order_ref }
remedy-store_credit = Hemos añadido { $amount } de saldo en tienda a tu cuenta. Puedes usarlo en cualquier pedido, cuando quieras.
    .subject = Saldo en tienda por { $order_ref }
remedy-compensation = Sentimos las molestias. Como disculpa, hemos añadido a tu cuenta un vale de { $amount } para tu próximo pedido.
    .subject = Nuestras disculpas por { $order_ref }
remedy-refund_duplicate_charge = Tenías razón: { $order_ref } se cobró dos veces. Te hemos devuelto el cargo duplicado de { $amount }; deberías verlo { $refund_when }.
    .subject = Cargo duplicado reembolsado
remedy-reissue_invoice = Hemos emitido una factura rectificada de { $order_ref }. La tienes adjunta y también en la página de tu pedido.
    .subject = Factura rectificada de { $order_ref }
remedy-inform = Gracias por tu pregunta sobre { $order_ref }. Esto es lo que necesitas saber.
    .subject = Sobre { $order_ref }
remedy-escalate = Hemos pasado tu caso sobre { $order_ref } a un especialista de nuestro equipo, que te responderá en 1 día hábil.
    .subject = Tu caso sobre { $order_ref }

# The last lines of an answer sent by email: how to answer, and who writes.
email-footer = Responda a este correo para añadir algo a su caso { $case }.
    { $shop }

## Seguimientos que Redress escribe por sí mismo.
follow-reminder = Seguimos esperando su respuesta sobre el caso { $case }. Responda a este mensaje cuando pueda para que { $shop } pueda solucionarlo.
follow-closed = No hemos recibido respuesta, así que el caso { $case } queda cerrado. Si aún necesita ayuda, responda y lo abriremos de nuevo.
follow-return-reminder = La devolución del caso { $case } aún no se ha enviado. Envíela pronto para que { $shop } pueda completar su reembolso o cambio.
follow-survey = ¿Qué tal lo hicimos con el caso { $case }? Puntúenos del 1 al 5 con un clic: { $link }
# A refund asked for that waits for approval: never said to be on its way.
refund-awaiting = Hemos solicitado tu reembolso de { $amount } por { $order_ref } y está pendiente de la aprobación de nuestro equipo. Te escribiremos en cuanto se apruebe y se envíe.
    .subject = Tu reembolso de { $order_ref }
# Avisos: lo que el cliente recibe en su propio canal cuando algo ocurre en el caso.
follow-refund-sent = { $shop } ha enviado su reembolso de { $amount } del caso { $case }. Según su banco, puede tardar unos días hábiles en aparecer.
follow-refund-sent-by = { $shop } ha enviado su reembolso de { $amount } del caso { $case }. Debería verlo en su cuenta antes del { $date }.
follow-label-issued = La etiqueta de devolución del caso { $case } está lista. Imprímala, péguela en el paquete y entréguelo al transportista.
follow-resolved = El caso { $case } está resuelto. Si algo aún no está bien, responda a este mensaje y lo abriremos de nuevo.
follow-portal-link = Consulte su pedido y este caso cuando quiera: { $link }
