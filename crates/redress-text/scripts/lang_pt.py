"""Portuguese (Brazil and Portugal) templates for gen_train.py (written for this project)."""

LANG = "pt"
ACCENTED = True

ITEMS = ["jaqueta", "vestido", "par de sapatos", "tênis", "capinha do celular", "luminária", "vaso", "mochila",
         "relógio", "fone de ouvido", "camiseta", "cafeteira", "calça jeans", "liquidificador", "almofada", "perfume",
         "brinquedo", "moletom", "caixa de som", "jogo de canecas", "tapete", "óculos de sol", "chaleira",
         "secador", "saia", "botas"]
ORDER_REFS = ["o pedido {n}", "meu pedido {n}", "o pedido nº {n}", "meu pedido", "o pedido", "pedido #{n}",
              "a encomenda {n}", "minha compra"]
SIZES = ["P", "M", "G", "GG", "38", "40", "42", "36", "tamanho maior", "S", "L"]
COLOURS = ["preto", "branco", "vermelho", "azul", "verde", "cinza", "rosa", "bege", "marrom", "amarelo"]
AMOUNTS = [lambda r: f"R$ {r.randrange(10, 900)},{r.randrange(0, 99):02d}", lambda r: f"R${r.randrange(10, 900)}",
           lambda r: f"{r.randrange(10, 500)} reais", lambda r: f"{r.randrange(5, 300)},{r.randrange(0, 99):02d} €",
           lambda r: f"{r.randrange(5, 200)} euros"]
DATES = ["dia 3 de março", "ontem", "segunda passada", "há duas semanas", "dia 12/05", "sexta", "semana passada",
         "20 de maio"]
CARRIERS = ["os Correios", "a Jadlog", "a Loggi", "os CTT", "a transportadora", "o entregador"]

GREETINGS = ["Olá,", "Oi,", "Bom dia,", "Boa tarde,", "Boa noite.", "Prezados,", "Olá equipe,", "oi gente",
             "Oi tudo bem?", "Bom dia, tudo bem?"]
CLOSINGS = ["Obrigado.", "Obrigada!", "Aguardo retorno.", "Abraço, Ana", "Att.", "Desde já agradeço.",
            "Atenciosamente.", "valeu", "Cumprimentos.", "Por favor me ajudem."]
CONTEXT = ["Comprei um {item} {date}.", "Fiz {ord} semana passada.", "Era um presente para minha mãe.",
           "Estou escrevendo sobre {ord}.", "Sou cliente há anos.", "Meu email é {email}.", "Comprei pelo site {date}."]
ANGRY = ["Que vergonha!", "Estou muito decepcionado.", "Péssimo atendimento.", "Estou cansada disso.",
         "Inaceitável.", "Pior experiência de compra.", "Um absurdo!", "Estou revoltado."]
ESCALATION = {
    "chargeback": ["Se não resolverem vou contestar a compra no cartão.", "Vou pedir estorno pelo banco.",
                   "Vou ligar para o banco e cancelar o pagamento.", "Já abri uma disputa no PayPal."],
    "legal": ["Vou registrar reclamação no Procon.", "Vou procurar um advogado.",
              "Vou entrar na justiça.", "Conheço meus direitos do consumidor."],
    "public_review": ["Vou reclamar no Reclame Aqui.", "Vou expor vocês nas redes sociais.",
                      "Vou deixar uma avaliação de uma estrela.", "Vou postar isso no Instagram."],
    "repeat_contact": ["É a terceira vez que escrevo.", "Já mandei dois emails e ninguém responde.",
                       "Já entrei em contato várias vezes.", "Continuo sem resposta da minha mensagem anterior."],
    "urgent": ["É urgente!", "Respondam o quanto antes.", "Preciso disso para amanhã.",
               "Preciso de uma solução imediatamente."],
}

KINDS = {
    "cancel_order": [
        "Quero cancelar {ord}.", "Por favor cancelem {ord}, comprei errado.", "Como cancelo {ord}?",
        "Vocês podem cancelar meu pedido antes de enviar?", "Desisti da compra, cancelem o {item} por favor.",
        "cancelar pedido pfv", "Preciso cancelar {ord}, achei mais barato.",
        "Fiz o pedido duas vezes sem querer, cancelem um.", "Ainda dá para cancelar {ord}?",
        "Não preciso mais do {item}, cancela a compra.", "Não enviem {ord}, quero cancelar.",
    ],
    "change_shipping_address": [
        "Preciso mudar o endereço de entrega de {ord}.", "Coloquei o endereço errado, podem corrigir?",
        "Por favor enviem {ord} para o endereço do meu trabalho.", "Me mudei, posso alterar o endereço de entrega?",
        "O número da rua está errado, é 42 e não 24.", "Podem atualizar o CEP de {ord}?",
        "alterar endereco de entrega", "Faltou o número do apartamento no endereço.",
        "Coloquei meu endereço antigo sem querer, como mudo antes do envio?",
        "Dá para mandar o pacote para outro endereço?",
    ],
    "change_order_items": [
        "Pedi tamanho {size} mas preciso do {size2}, podem trocar antes de enviar?",
        "Posso mudar a cor de {ord} de {colour} para {colour2}?", "Errei o tamanho, mudem para {size} por favor.",
        "Quero mudar a quantidade de 1 para 2 em {ord}.", "Quero adicionar mais um {item} ao pedido antes do envio.",
        "Escolhi o modelo errado, podem alterar {ord}?", "Tirem um {item} do meu pedido por favor.",
        "mudar tamanho do pedido para {size}", "Selecionei a cor errada, queria {colour}. Ainda não foi enviado.",
    ],
    "billing_info_error": [
        "A nota fiscal está com o nome da empresa errado.", "Faltou meu CPF na nota fiscal.",
        "Podem corrigir o nome na nota? Está escrito errado.", "Preciso da nota no CNPJ da minha empresa.",
        "O endereço de cobrança de {ord} está errado.", "Por favor emitam a nota de novo com o NIF correto.",
        "dados da nota fiscal errados", "Errei os dados de faturamento, podem alterar?",
        "A fatura saiu com meu endereço antigo, preciso corrigir.",
    ],
    "order_status": [
        "Onde está {ord}?", "Quando chega meu {item}?", "Qual o status de {ord}?",
        "{ord} já foi enviado?", "Qual é o código de rastreio do meu pedido?", "Quanto tempo demora a entrega para Recife?",
        "O rastreio não atualiza há {days} dias, cadê?", "Alguma novidade da minha entrega?",
        "Fiz o pedido {date}, quando vão enviar?", "cade meu pedido", "Meu pacote já está a caminho?",
        "A previsão era {date}, ainda vai chegar?",
    ],
    "not_received": [
        "!O rastreio diz entregue mas nunca recebi o pacote.", "!Meu {item} nunca chegou.",
        "!{ord} consta como entregue mas não tinha nada aqui.", "!Ainda não recebi {ord} depois de {days} dias.",
        "!O pacote foi extraviado, {carrier} não encontra.", "!Diz que deixaram com o vizinho mas ninguém recebeu.",
        "!nunca recebi meu pedido", "!Estou esperando há um mês e o pedido não chegou.",
        "!{carrier} diz que entregou, fiquei em casa o dia todo e ninguém veio.",
    ],
    "damaged_in_transit": [
        "!Meu {item} chegou quebrado.", "!A caixa veio amassada e o {item} danificado.",
        "!O {item} chegou em pedaços.", "!O pacote chegou molhado e o {item} estragou.",
        "!O {item} está rachado, dá para ver que derrubaram a caixa.", "!Chegou amassado, a embalagem toda destruída.",
        "!veio quebrado", "!A tela estava trincada quando abri a caixa.",
        "!Recebi {ord} hoje mas o {item} veio avariado, tenho fotos da caixa.",
    ],
    "wrong_item_received": [
        "!Recebi o produto errado, pedi um {item} e veio outra coisa.",
        "!Mandaram tamanho {size} em vez de {size2}.", "!Pedi a cor {colour} e veio {colour2}.",
        "!Não foi isso que eu pedi, mandaram outro {item}.", "!Recebi o pedido de outra pessoa.",
        "!Produto errado em {ord}.", "!veio o tamanho errado", "!Veio a cor errada, escolhi {colour}.",
        "!A etiqueta é minha mas dentro tem outro modelo.",
    ],
    "missing_item": [
        "!Meu pedido chegou mas falta um {item}.", "!Pedi 3 itens e só vieram 2.",
        "!O {item} não veio no pacote.", "!Veio só metade do pedido.",
        "!A caixa veio sem o carregador que deveria vir junto.", "!{ord} veio incompleto, faltou o {item}.",
        "!faltou um item no meu pedido", "!A nota tem o {item} mas ele não estava na caixa.",
    ],
    "not_as_described": [
        "!O {item} não tem nada a ver com as fotos.", "!A cor é totalmente diferente do site.",
        "!A descrição dizia couro e é plástico.", "!É muito menor do que o anunciado.",
        "!O {item} não corresponde à descrição, o material é ruim.",
        "!Nas fotos era {colour} e na verdade é {colour2}.", "!nao e igual a foto",
        "!Dizia à prova d'água e não é.", "!As medidas não batem com a descrição do anúncio.",
    ],
    "defective_item": [
        "!Meu {item} não funciona.", "!O {item} parou de funcionar depois de {days} dias.",
        "!O {item} não liga.", "!O zíper quebrou na primeira vez que usei.",
        "!O {item} está com defeito, desliga sozinho.", "!O botão não responde, veio com defeito de fábrica.",
        "!A bateria não carrega.", "!produto com defeito", "!Um lado do fone não funciona.",
        "!A costura abriu depois de uma lavagem.",
    ],
    "return_request": [
        "Quero devolver o {item}.", "Como devolvo {ord} para receber o reembolso?",
        "O {item} não serviu, quero devolver.", "Me arrependi e quero meu dinheiro de volta.",
        "Posso devolver o {item} e receber o dinheiro?", "Quero fazer uma devolução.",
        "Ficou grande, quero devolver.", "Me mandem uma etiqueta de devolução para o {item}.",
        "nao gostei quero devolver", "Quero o reembolso do {item}, vou mandar de volta.",
    ],
    "exchange_request": [
        "Posso trocar o {item} por um tamanho {size}?", "Queria trocar por outra cor, {colour2}.",
        "O {item} ficou pequeno, posso trocar por um número maior?", "Quero trocar {ord} por outro modelo.",
        "Podem trocar pelo {colour} em vez do {colour2}?", "troca por tamanho {size} pfv",
        "Não serviu, prefiro trocar em vez de reembolso.", "Quero o mesmo {item} mas na cor {colour}.",
    ],
    "return_policy_question": [
        "Qual é a política de devolução?", "Quantos dias tenho para devolver um produto?",
        "Tenho que pagar o frete da devolução?", "Produtos em promoção podem ser devolvidos?",
        "A devolução é grátis?", "Quanto tempo demora o reembolso depois que vocês recebem?",
        "Posso devolver sem a caixa original?", "prazo de devolucao?",
        "Como funciona a troca na loja de vocês?", "Aceitam devolução de produto aberto?",
    ],
    "refund_status": [
        "Cadê meu reembolso?", "Devolvi o {item} há {days} dias e nada do estorno.",
        "Quando recebo meu dinheiro de volta de {ord}?", "Disseram que o estorno foi feito mas não aparece.",
        "O reembolso ainda não caiu na minha conta.", "Quanto tempo demora para o estorno aparecer?",
        "!Faz {days} dias que vocês receberam a devolução, e o reembolso?", "status do meu reembolso",
        "Me prometeram um estorno de {amount} e não chegou.",
    ],
    "wrong_charge": [
        "!Fui cobrado duas vezes por {ord}.", "!Cobraram {amount} mas o total era menor.",
        "!Tem uma cobrança duplicada no meu cartão.", "!Cobraram o valor errado.",
        "!Debitaram {amount} duas vezes pelo mesmo pedido.", "!Por que cobraram frete se era grátis?",
        "!cobrança em dobro!!", "!Vejo duas cobranças de {amount} na fatura.", "!Cobraram {amount} a mais.",
    ],
    "payment_not_reflected": [
        "Paguei mas o pedido continua aguardando pagamento.", "O pagamento foi feito mas o pedido aparece como não pago.",
        "O dinheiro saiu da conta mas o site diz que o pagamento falhou.",
        "Fiz um Pix de {amount} ontem e o pedido ainda aguarda pagamento.",
        "Paguei o boleto e o pedido não foi confirmado.", "ja paguei e nao atualizou",
        "Por que {ord} diz pagamento pendente? Já fui cobrado.", "Fui cobrado mas não recebi confirmação do pedido.",
    ],
    "store_unavailable": [
        "!O site de vocês está fora do ar.", "!Não consigo finalizar a compra, dá erro no pagamento.",
        "!O site não carrega.", "!Na hora de pagar aparece um erro.", "!Não consigo adicionar nada ao carrinho.",
        "!O aplicativo fecha quando tento comprar.", "!Meu cartão é recusado no checkout mas funciona em tudo.",
        "!site nao funciona", "!O botão de pagar não faz nada.",
    ],
    "phishing_report": [
        "Recebi um email de vocês pedindo os dados do cartão, é verdade?",
        "Alguém mandou um SMS se passando pela loja com link para pagar taxa.",
        "Essa mensagem é de vocês? Pede para confirmar minha senha.",
        "Recebi um SMS suspeito sobre meu pacote e uma taxa, é golpe?",
        "Tem um site falso usando a marca de vocês.", "recebi um email estranho parece golpe",
        "Alguém está se passando pela loja no WhatsApp.", "Vocês me pediram para pagar {amount} para reenviar o pacote?",
    ],
    "other": [
        "+Muito obrigado, chegou tudo certinho!", "Vocês entregam em Portugal?", "Qual o horário de atendimento?",
        "Tem algum cupom de desconto?", "Esse {item} é à prova d'água?", "+Atendimento excelente, obrigada!",
        "Vocês vendem vale-presente?", "Como crio uma conta?", "Posso mudar minha senha?",
        "Vocês estão contratando?", "Quando o {item} volta ao estoque?", "Vocês têm loja física?",
        "+Só queria dizer que amei o {item}.", "Quais formas de pagamento vocês aceitam?",
        "Quero cancelar a newsletter.", "oi", "Posso falar com um atendente?",
        "Vai chover amanhã?", "ok obrigado", "Tem o {item} na cor {colour}?",
    ],
}

REQUESTS = ["Me mandem outro, por favor.", "Quero meu dinheiro de volta.", "O que vocês vão fazer?",
            "Podem me ajudar?", "Por favor, resolvam isso.", "Quero reembolso ou troca.", "Como resolvemos?",
            "Me digam o que fazer.", "Aguardo retorno.", "Podem reenviar?", "Quero uma compensação."]
