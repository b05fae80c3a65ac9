"""Second Spanish phrasing bank: narrative, indirect and colloquial messages."""

KINDS = {
    "cancel_order": [
        "Resumiendo, ya no necesito el {item}. ¿Lo pueden cancelar antes de empaquetarlo?",
        "Me equivoqué al hacer {ord}, ¿se puede cancelar en vez de devolverlo luego?",
        "No procesen mi pedido, lo cancelo.", "¿Mi pedido aún se puede cancelar? Quiero cancelarlo.",
        "Solicitud de cancelación de {ord}. Motivo: me equivoqué de artículo.", "olvídenlo, cancelen mi pedido",
        "Quiero dar de baja esta compra, todavía no he recibido nada y no la quiero.",
        "Paren mi pedido por favor, no sigo con la compra.",
    ],
    "change_shipping_address": [
        "Un problemita: puse mi piso anterior en el pedido. La nueva dirección es Calle Molino 3. ¿La cambian?",
        "Voy a estar de viaje, ¿pueden enviar el paquete a casa de mi hermana?",
        "¿Pueden modificar la dirección de entrega de {ord} a la de mi trabajo?", "La dirección del pedido está incompleta, añadan el número de piso.",
        "Cambio de dirección de entrega: Av. Parque 88, 2ºA.", "cambien la direccion de envio, la del pedido esta mal",
        "¿Puedo elegir otra dirección de entrega ahora que el pedido ya está hecho?", "puse mal la ciudad en la direccion, corrijanla",
    ],
    "change_order_items": [
        "Me acabo de dar cuenta de que elegí mal la talla, pónganla en {size} antes de enviar.",
        "¿Pueden cambiar la variante de mi pedido? Quiero el {colour}.", "Un momento, quiero añadir otro {item} al pedido.",
        "¿Puedo modificar mi pedido? Necesito dos en vez de tres.", "Modifiquen {ord}: cambien el {item} por la versión grande.",
        "Quiero cambiar lo que hay en mi pedido antes de que salga.", "elegí mal la talla al pagar, la pueden cambiar",
        "El pedido aún no salió, ¿verdad? ¿Pueden cambiar el color a {colour2}?",
    ],
    "billing_info_error": [
        "Para mi nota de gastos necesito la factura con los datos de mi empresa, la actual está mal.",
        "¿Pueden corregir la dirección fiscal de la factura? Sale la antigua.", "A la factura le falta nuestro NIF.",
        "Por favor generen de nuevo la factura con la razón social correcta.", "La factura pone mal el país de facturación.",
        "datos de facturacion del ticket incorrectos", "Necesito una factura rectificada, el CIF está mal.",
        "Mi factura tiene una falta en el nombre de la empresa.",
    ],
    "order_status": [
        "Quería saber dónde está mi paquete, el seguimiento no se mueve.", "¿Hay novedades de la entrega de {ord}?",
        "El seguimiento solo dice etiqueta creada, ¿de verdad se envió?", "¿Cuándo me van a entregar el pedido?",
        "Estoy esperando {ord}, ¿pueden ver dónde está?", "¿Me dan una fecha aproximada de entrega?",
        "¿{carrier} ya recogió mi paquete?", "¿Mi pedido sigue en camino? No hay noticias desde hace {days} días.",
        "¿A qué hora pasa el repartidor?",
    ],
    "not_received": [
        "!La app dice que mi paquete se entregó ayer pero no aparece por ningún lado.",
        "!Mi vecino y yo buscamos por todas partes, el paquete marcado como entregado no está.",
        "!Llevo siglos esperando y el paquete nunca llegó, el seguimiento está parado y dicen que se perdió.",
        "!Dicen que lo dejaron en un lugar seguro y no hay nada.", "!No recibí mi paquete para nada.",
        "!La entrega nunca ocurrió pero el estado dice completado.", "!no me llego el paquete y dice entregado",
        "!Paquete extraviado: {ord} nunca me llegó.",
    ],
    "damaged_in_transit": [
        "!Al abrir la caja el {item} estaba roto, y la caja venía aplastada.",
        "!El paquete parecía lanzado, el {item} de dentro está rajado.",
        "!Llegó dañado: abolladura en un lado y el cristal roto.", "!Mi envío llegó roto.",
        "!La esquina de la caja venía hundida y el {item} también.", "!Todo lo de dentro llegó roto.",
        "!vino roto, el embalaje aplastado", "!El artículo se dañó en el envío.",
    ],
    "wrong_item_received": [
        "!El artículo que recibí no es el que pedí.", "!Me mandaron un {item} pero mi pedido era otra cosa.",
        "!Abrí la caja y no es mi pedido.", "!Otra vez me llegó la talla equivocada.",
        "!Es otro modelo, no el que compré.", "!Me entregaron el paquete de otra persona.",
        "!mandaron el producto equivocado", "!El color que recibí no es el que elegí.",
    ],
    "missing_item": [
        "!Llegó mi paquete pero falta algo.", "!Solo recibí algunos de los artículos que pedí.",
        "!Falta el {item} en mi envío.", "!No estaba todo en la caja.",
        "!Tenían que ser dos artículos y solo había uno.", "!Mi pedido está incompleto.",
        "!falta un articulo", "!Al paquete le faltaba parte del pedido.",
    ],
    "not_as_described": [
        "!Lo que recibí no es lo que mostraba la web.", "!El {item} no coincide para nada con la descripción.",
        "!La calidad es mucho peor de lo anunciado.", "!Las fotos engañan, es de otro color.",
        "!Las características del anuncio están mal.", "!No es como lo describen.", "!No se parece a la ficha del producto.",
        "!no es igual que en la foto",
    ],
    "defective_item": [
        "!El {item} llegó bien pero no funciona.", "!Se rompió a los pocos usos.",
        "!El {item} tiene un fallo, no carga.", "!Está defectuoso.", "!El aparato se apaga solo todo el rato.",
        "!No funciona bien.", "!ya dejo de funcionar", "!Producto con fallas, ayúdenme.",
    ],
    "return_request": [
        "Quiero devolver un artículo de {ord}.", "¿Cómo inicio una devolución?", "Quiero devolverlo, reembólsenme por favor.",
        "Voy a devolver el {item}, ¿qué hago?", "Quiero mandar de vuelta mi pedido.", "devolucion porfa, no me queda",
        "¿Me reembolsan si lo devuelvo?", "Quiero devolver esto y recuperar mi dinero.",
    ],
    "exchange_request": [
        "Quisiera cambiarlo por otra talla.", "¿Me lo pueden dar en otro color?",
        "Cambien mi {item} por la talla {size}, por favor.", "¿Puedo hacer un cambio?", "Quiero cambiarlo por otro.",
        "cambio por talla mas grande porfa", "¿Me lo cambian por uno {colour}?", "Necesito cambiarlo, no me queda bien.",
    ],
    "return_policy_question": [
        "¿Puedo devolver algo pasados 30 días?", "¿Se pueden devolver artículos personalizados?", "¿Devuelven los gastos de envío?",
        "¿Cómo sé si un artículo se puede devolver?", "¿Cómo es el proceso de cambios?", "¿aceptan devoluciones?",
        "¿Hay plazo límite para devolver?", "¿Puedo devolver un regalo?",
    ],
    "refund_status": [
        "Sigo esperando mi reembolso.", "¿Ya enviaron el reembolso?", "¿Cuándo me reembolsan?",
        "El reembolso no ha llegado.", "Devolví mi pedido y no me han reembolsado.", "¿dónde está mi dinero?",
        "¿Alguna novedad de mi reembolso?", "El reembolso lleva semanas pendiente.",
    ],
    "wrong_charge": [
        "!Me cobraron más de lo que correspondía.", "!¿Por qué me cobraron dos veces en la tarjeta?",
        "!Me sacaron el dinero dos veces.", "!Me cobraron un importe incorrecto.", "!Hay un pago duplicado en mi cuenta.",
        "!cobro incorrecto", "!El cargo en la tarjeta no coincide con el pedido.", "!Devuélvanme el cargo duplicado.",
    ],
    "payment_not_reflected": [
        "Pagué pero sigue diciendo pendiente de pago.", "Mi pago no aparece.", "El pedido sale sin pagar y ya pagué.",
        "Me cobraron y el pedido no está confirmado.", "el pago no se actualizo en mi pedido", "¿Recibieron mi pago?",
        "Ya pagué, ¿por qué el pedido está retenido?", "Mi transferencia ya salió, confírmenla.",
    ],
    "store_unavailable": [
        "!No puedo comprar nada, la web está rota.", "!El pago en la web no funciona.", "!La página no funciona.",
        "!El pago falla siempre en su web.", "!Web caída", "!No puedo terminar la compra.",
        "!Su tienda online no carga.", "!El botón de comprar no va.",
    ],
    "phishing_report": [
        "¿Esto es una estafa?", "Recibí un correo falso con su marca.", "Alguien se está haciendo pasar por ustedes.",
        "Parece phishing, ¿es de ustedes?", "SMS sospechoso sobre mi paquete.", "web falsa con su nombre",
        "Me llegó un mensaje pidiendo los datos de la tarjeta en su nombre.", "¿Este enlace es legítimo?",
    ],
    "other": [
        '+Gracias, el reemplazo llegó y está perfecto.', '+Han sido muy amables, se lo agradezco mucho.', '+¡Qué rapidez, mil gracias!', '+El vestido me queda precioso, ¡gracias!', '+Estoy feliz con mi pedido, volveré a comprar.', '+¡Enhorabuena por la entrega tan rápida!', '+Problema resuelto, son los mejores.', '+Qué bonito empaque y qué detalle la nota, gracias.',
        "+¡Gracias por la ayuda!", "+Muy buen servicio, gracias.", "Hola, tengo una pregunta.", "¿Abren los festivos?",
        "¿Lo tienen en stock?", "¿Cómo los contacto por teléfono?", "¿Puedo pedir por teléfono?", "¿Solo venden online?",
        "¿qué hora es?", "+Listo, todo resuelto.", "¿Dónde están ubicados?", "¿Tienen catálogo?",
    ],
}
