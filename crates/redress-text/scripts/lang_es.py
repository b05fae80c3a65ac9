"""Spanish templates for gen_train.py (written for this project)."""

LANG = "es"
ACCENTED = True

ITEMS = ["chaqueta", "vestido", "par de zapatos", "zapatillas", "funda del móvil", "lámpara", "jarrón", "mochila",
         "reloj", "auriculares", "camiseta", "cafetera", "pantalón", "licuadora", "cojín", "perfume", "juguete",
         "sudadera", "altavoz", "tazas", "alfombra", "gafas de sol", "hervidor", "secador", "falda", "botas"]
ORDER_REFS = ["el pedido {n}", "mi pedido {n}", "el pedido número {n}", "mi pedido", "el pedido", "pedido #{n}",
              "la compra {n}", "mi compra"]
SIZES = ["S", "M", "L", "XL", "XS", "38", "40", "42", "37", "talla grande", "mediana"]
COLOURS = ["negro", "blanco", "rojo", "azul", "verde", "gris", "rosa", "beige", "marrón", "amarillo"]
AMOUNTS = [lambda r: f"{r.randrange(5, 300)},{r.randrange(0, 99):02d} €", lambda r: f"{r.randrange(5, 300)} euros",
           lambda r: f"${r.randrange(100, 5000)} MXN", lambda r: f"{r.randrange(100, 9000)} pesos",
           lambda r: f"€{r.randrange(5, 200)}"]
DATES = ["el 3 de marzo", "ayer", "el lunes pasado", "hace dos semanas", "el 12/05", "el viernes", "la semana pasada",
         "el 20 de mayo"]
CARRIERS = ["Correos", "SEUR", "MRW", "Estafeta", "DHL", "el repartidor", "la mensajería"]

GREETINGS = ["Hola,", "Buenas,", "Buenos días,", "Hola buenas tardes,", "Estimados:", "Hola equipo,", "Qué tal,",
             "Buenas noches.", "A quien corresponda:", "hola"]
CLOSINGS = ["Gracias.", "¡Muchas gracias!", "Saludos.", "Un saludo, Laura", "Quedo atento.", "Espero respuesta.",
            "Gracias de antemano.", "Saludos cordiales.", "gracias", "Por favor, ayúdenme."]
CONTEXT = ["Compré un {item} {date}.", "Hice {ord} la semana pasada.", "Era un regalo para mi madre.",
           "Les escribo por {ord}.", "Soy cliente habitual.", "Mi correo es {email}.", "Lo pedí por la web {date}."]
ANGRY = ["¡Es una vergüenza!", "Estoy muy decepcionado.", "Pésimo servicio.", "Estoy harta de esto.",
         "Inaceptable.", "La peor experiencia de compra.", "¡Qué desastre!", "Estoy muy enfadado."]
ESCALATION = {
    "chargeback": ["Si no lo solucionan pediré un contracargo.", "Voy a reclamar al banco el cargo.",
                   "Llamaré a mi banco para anular el pago.", "Ya abrí una disputa en PayPal."],
    "legal": ["Voy a poner una denuncia en consumo.", "Hablaré con mi abogado.",
              "Tomaré acciones legales.", "Pondré una queja en Profeco.", "Pediré la hoja de reclamaciones."],
    "public_review": ["Dejaré una reseña de una estrella.", "Lo voy a publicar en redes sociales.",
                      "Voy a contar esto en Twitter.", "Pondré una mala opinión en Google."],
    "repeat_contact": ["Es la tercera vez que les escribo.", "Ya les escribí dos veces y nadie responde.",
                       "Les he contactado varias veces.", "Sigo sin respuesta a mi correo anterior."],
    "urgent": ["¡Es urgente!", "Respondan lo antes posible.", "Lo necesito para mañana.",
               "Necesito una solución de inmediato."],
}

KINDS = {
    "cancel_order": [
        "Quiero cancelar {ord}.", "Por favor cancelen {ord}, me equivoqué al comprar.", "¿Cómo cancelo {ord}?",
        "¿Pueden cancelar mi pedido antes de que lo envíen?", "Me arrepentí, cancelen el pedido de la {item} por favor.",
        "cancelar pedido porfa", "Necesito anular {ord}, lo encontré más barato.",
        "Hice el pedido dos veces sin querer, cancelen uno.", "¿Todavía puedo cancelar {ord}?",
        "Ya no necesito el {item}, anulen la compra.", "No envíen {ord}, quiero cancelarlo.",
    ],
    "change_shipping_address": [
        "Necesito cambiar la dirección de envío de {ord}.", "Puse mal la dirección, ¿la pueden corregir?",
        "Por favor envíen {ord} a la dirección de mi trabajo.", "Me mudé, ¿puedo cambiar la dirección de entrega?",
        "El número de la calle está mal, es 42 y no 24.", "¿Pueden actualizar el código postal de {ord}?",
        "cambiar direccion de envio", "Me falta el número de piso en la dirección.",
        "Puse mi dirección antigua por error, ¿cómo la cambio antes del envío?",
        "¿Se puede enviar el paquete a otra dirección?",
    ],
    "change_order_items": [
        "Pedí talla {size} pero necesito {size2}, ¿lo pueden cambiar antes de enviarlo?",
        "¿Puedo cambiar el color de {ord} de {colour} a {colour2}?", "Me equivoqué de talla, cámbienla a {size} por favor.",
        "Quiero cambiar la cantidad de 1 a 2 en {ord}.", "Quiero añadir otro {item} a mi pedido antes del envío.",
        "Elegí el modelo equivocado, ¿pueden modificar {ord}?", "Quiten un {item} de mi pedido por favor.",
        "cambiar talla de mi pedido a {size}", "Seleccioné mal el color, quería {colour}. Aún no lo han enviado.",
    ],
    "billing_info_error": [
        "La factura tiene mal el nombre de la empresa.", "Falta mi NIF en la factura.",
        "¿Pueden corregir el nombre en la factura? Está mal escrito.", "Necesito la factura a nombre de mi empresa con CIF B12345678.",
        "La dirección de facturación de {ord} es incorrecta.", "Por favor emitan de nuevo la factura con el RFC correcto.",
        "datos de facturacion incorrectos", "Me equivoqué en los datos fiscales, ¿los pueden cambiar?",
        "La factura sale con mi dirección antigua, la necesito corregida.",
    ],
    "order_status": [
        "¿Dónde está {ord}?", "¿Cuándo llega mi {item}?", "¿Me dicen el estado de {ord}?",
        "¿Ya enviaron {ord}?", "¿Cuál es el número de seguimiento de mi pedido?", "¿Cuánto tarda el envío a Sevilla?",
        "El seguimiento no se actualiza desde hace {days} días, ¿dónde está?", "¿Alguna novedad de mi envío?",
        "Hice el pedido {date}, ¿cuándo lo envían?", "donde esta mi pedido", "¿Mi paquete ya está en camino?",
        "La fecha estimada era {date}, ¿sigue en camino?",
    ],
    "not_received": [
        "!El seguimiento dice entregado pero nunca recibí el paquete.", "!Mi {item} nunca llegó.",
        "!{ord} aparece como entregado pero no había nada en mi puerta.", "!Todavía no he recibido {ord} después de {days} días.",
        "!El paquete se perdió, {carrier} no lo encuentra.", "!Dice que lo dejaron con un vecino pero nadie lo tiene.",
        "!nunca me llego el pedido", "!Llevo un mes esperando y el pedido no llegó.",
        "!{carrier} dice entregado, estuve en casa todo el día y no vino nadie.",
    ],
    "damaged_in_transit": [
        "!Mi {item} llegó roto.", "!La caja venía aplastada y el {item} está dañado.",
        "!El {item} llegó hecho pedazos.", "!El paquete llegó mojado y el {item} se estropeó.",
        "!El {item} está rajado, se nota que se cayó el paquete.", "!Llegó abollado, la caja venía destrozada.",
        "!llego roto el producto", "!La pantalla estaba rota al abrir la caja.",
        "!Recibí {ord} hoy pero el {item} viene dañado, tengo fotos de la caja.",
    ],
    "wrong_item_received": [
        "!Recibí un producto equivocado, pedí un {item} y me llegó otra cosa.",
        "!Me enviaron la talla {size} en vez de la {size2}.", "!Pedí color {colour} y me llegó {colour2}.",
        "!Esto no es lo que pedí, me mandaron otro {item}.", "!Me llegó el pedido de otra persona.",
        "!Producto equivocado en {ord}.", "!me mandaron la talla equivocada",
        "!Me llegó el color que no era, yo elegí {colour}.", "!La etiqueta es mía pero dentro hay otro modelo.",
    ],
    "missing_item": [
        "!Llegó mi pedido pero falta un {item}.", "!Pedí 3 artículos y solo llegaron 2.",
        "!El {item} no venía en el paquete.", "!Falta la mitad de mi pedido.",
        "!La caja vino sin el cargador que debía incluir.", "!{ord} llegó incompleto, no estaba el {item}.",
        "!falta un producto en mi pedido", "!La factura incluye el {item} pero no venía en la caja.",
    ],
    "not_as_described": [
        "!El {item} no se parece en nada a las fotos.", "!El color es totalmente diferente al de la web.",
        "!La descripción decía cuero y es plástico.", "!Es mucho más pequeño de lo que indicaba.",
        "!El {item} no corresponde a la descripción, el material es de mala calidad.",
        "!En las fotos era {colour} y en realidad es {colour2}.", "!no es como en la foto",
        "!Decía impermeable y no lo es.", "!Las medidas no coinciden con la descripción del anuncio.",
    ],
    "defective_item": [
        "!Mi {item} no funciona.", "!El {item} dejó de funcionar a los {days} días.",
        "!El {item} no enciende.", "!La cremallera se rompió la primera vez que lo usé.",
        "!El {item} está defectuoso, se apaga solo.", "!El botón no responde, viene con defecto de fábrica.",
        "!La batería no carga.", "!producto defectuoso", "!Un auricular no suena.",
        "!Las costuras se abrieron después de un lavado.",
    ],
    "return_request": [
        "Quiero devolver el {item}.", "¿Cómo devuelvo {ord} para que me reembolsen?",
        "El {item} no me queda bien, quiero devolverlo.", "Cambié de opinión y quiero mi dinero.",
        "¿Puedo devolver el {item} y que me devuelvan el dinero?", "Quiero hacer una devolución.",
        "Me queda grande, quiero devolverlo.", "Envíenme una etiqueta de devolución para el {item}.",
        "no me gusto quiero devolverlo", "Quiero el reembolso del {item}, lo envío de vuelta.",
    ],
    "exchange_request": [
        "¿Puedo cambiar el {item} por una talla {size}?", "Quisiera cambiarlo por otro color, {colour2}.",
        "El {item} me queda pequeño, ¿lo puedo cambiar por una talla más?", "Quiero cambiar {ord} por otro modelo.",
        "¿Me lo pueden cambiar por el {colour} en vez del {colour2}?", "cambio por talla {size} porfa",
        "No me queda, prefiero un cambio en lugar de reembolso.", "Quiero el mismo {item} pero en {colour}.",
    ],
    "return_policy_question": [
        "¿Cuál es su política de devoluciones?", "¿Cuántos días tengo para devolver un artículo?",
        "¿Tengo que pagar el envío de la devolución?", "¿Se pueden devolver los artículos rebajados?",
        "¿La devolución es gratis?", "¿Cuánto tarda el reembolso cuando reciben la devolución?",
        "¿Puedo devolver algo sin la caja original?", "plazo de devolucion?",
        "¿Cómo funcionan los cambios en su tienda?", "¿Aceptan devoluciones de productos abiertos?",
    ],
    "refund_status": [
        "¿Dónde está mi reembolso?", "Devolví el {item} hace {days} días y todavía no me reembolsan.",
        "¿Cuándo me devuelven el dinero de {ord}?", "Dijeron que el reembolso estaba hecho pero no lo veo.",
        "El reembolso aún no aparece en mi cuenta.", "¿Cuánto tarda en verse el reembolso?",
        "!Hace {days} días que recibieron mi devolución, ¿y mi reembolso?", "estado de mi reembolso",
        "Me prometieron un reembolso de {amount} y no ha llegado.",
    ],
    "wrong_charge": [
        "!Me cobraron dos veces {ord}.", "!Me cobraron {amount} pero el total era menos.",
        "!Tengo un cargo duplicado en la tarjeta.", "!Me cobraron un importe equivocado.",
        "!Me cargaron {amount} dos veces por el mismo pedido.", "!¿Por qué me cobraron el envío si era gratis?",
        "!cobro doble!!", "!Veo dos cargos de {amount} en mi extracto.", "!Me cobraron {amount} de más.",
    ],
    "payment_not_reflected": [
        "Pagué pero el pedido sigue como pendiente de pago.", "El pago se hizo pero el pedido aparece sin pagar.",
        "El dinero salió de mi cuenta pero la web dice que el pago falló.",
        "Hice una transferencia de {amount} ayer y el pedido sigue esperando el pago.",
        "Pagué con PayPal y el pedido no figura como pagado.", "ya pague y no se refleja",
        "¿Por qué {ord} dice pago pendiente? Ya me cobraron.", "Me cobraron pero no recibí confirmación del pedido.",
    ],
    "store_unavailable": [
        "!Su página web no funciona.", "!No puedo pagar, la página de pago da error.",
        "!La web no carga.", "!Al pagar me sale un error cada vez.", "!No me deja añadir nada al carrito.",
        "!La app se cierra cuando intento comprar.", "!Me rechaza la tarjeta en el pago y funciona en todos lados.",
        "!la pagina no anda", "!El botón de pagar no hace nada.",
    ],
    "phishing_report": [
        "Me llegó un correo suyo pidiendo los datos de mi tarjeta, ¿es real?",
        "Alguien me mandó un SMS haciéndose pasar por su tienda con un enlace para pagar aduanas.",
        "¿Este mensaje es de ustedes? Me pide confirmar mi contraseña.",
        "Recibí un SMS sospechoso sobre mi paquete y una tasa, ¿es una estafa?",
        "Hay una web falsa usando su logo.", "me llego un correo raro que parece phishing",
        "Alguien se hace pasar por su tienda en WhatsApp.", "¿Ustedes me pidieron pagar {amount} para reenviar el paquete?",
    ],
    "other": [
        "+¡Muchas gracias, todo llegó perfecto!", "¿Envían a Canarias?", "¿Cuál es su horario de atención?",
        "¿Tienen algún código de descuento?", "¿Este {item} es impermeable?", "+¡Excelente servicio, gracias!",
        "¿Venden tarjetas regalo?", "¿Cómo creo una cuenta?", "¿Puedo cambiar mi contraseña?",
        "¿Están contratando?", "¿Cuándo vuelve a haber stock del {item}?", "¿Tienen tienda física?",
        "+Solo quería decir que me encanta el {item}.", "¿Qué métodos de pago aceptan?",
        "Quiero darme de baja del boletín.", "hola", "¿Puedo hablar con una persona?",
        "¿Qué tiempo hará mañana?", "ok gracias", "¿Tienen el {item} en {colour}?",
    ],
}

REQUESTS = ["Envíenme uno nuevo, por favor.", "Quiero que me devuelvan el dinero.", "¿Qué van a hacer al respecto?",
            "¿Me pueden ayudar?", "Por favor, solucionen esto.", "Quiero un reembolso o un cambio.", "¿Cómo lo arreglamos?",
            "Díganme qué tengo que hacer.", "Espero su respuesta.", "¿Me lo pueden reenviar?", "Exijo una compensación."]
