"""Second Portuguese phrasing bank: narrative, indirect and colloquial messages."""

KINDS = {
    "cancel_order": [
        "Resumindo, não preciso mais do {item}. Podem cancelar antes de embalar?",
        "Errei ao fazer {ord}, dá para cancelar em vez de eu devolver depois?",
        "Não processem meu pedido, estou cancelando.", "Meu pedido ainda pode ser cancelado? Quero cancelar.",
        "Pedido de cancelamento de {ord}. Motivo: comprei o item errado.", "esquece, cancela meu pedido",
        "Quero encerrar essa compra, ainda não recebi nada e não quero mais.",
        "Parem meu pedido por favor, desisti da compra.",
    ],
    "change_shipping_address": [
        "Probleminha: coloquei meu apartamento antigo no pedido. O novo endereço é Rua do Moinho 3. Podem mudar?",
        "Vou viajar, podem mandar o pacote para a casa da minha irmã?",
        "Podem alterar o endereço de entrega de {ord} para o do meu trabalho?", "O endereço do pedido está incompleto, falta o complemento.",
        "Mudança de endereço de entrega: Av. Brasil 88, apto 2.", "mudem o endereço de entrega, o do pedido está errado",
        "Posso escolher outro endereço de entrega agora que o pedido foi feito?", "cidade errada no endereço de entrega, corrijam",
    ],
    "change_order_items": [
        "Acabei de perceber que escolhi o tamanho errado, coloquem {size} antes de enviar.",
        "Podem mudar a variação do meu pedido? Quero o {colour}.", "Espera, quero incluir mais um {item} no pedido.",
        "Posso alterar meu pedido? Preciso de dois em vez de três.", "Alterem {ord}: troquem o {item} pela versão maior.",
        "Quero mudar o que tem no meu pedido antes de despachar.", "escolhi o tamanho errado no checkout, podem mudar",
        "O pedido ainda não saiu, né? Podem mudar a cor para {colour2}?",
    ],
    "billing_info_error": [
        "Para o reembolso da empresa preciso da nota com os dados do CNPJ, a atual está errada.",
        "Podem corrigir o endereço de cobrança na nota? Saiu o antigo.", "Falta nosso CNPJ na nota fiscal.",
        "Por favor emitam de novo a nota com a razão social correta.", "A fatura está com o país de cobrança errado.",
        "dados de cobrança do recibo errados", "Preciso de uma nota corrigida, o CPF está errado.",
        "Minha nota tem erro no nome da empresa.",
    ],
    "order_status": [
        "Queria saber onde está meu pacote, o rastreio não anda.", "Tem novidade da entrega de {ord}?",
        "O rastreio só diz etiqueta emitida, foi enviado mesmo?", "Quando vão entregar meu pedido?",
        "Estou esperando {ord}, podem ver onde está?", "Podem me dar uma previsão de entrega?",
        "{carrier} já coletou meu pacote?", "Meu pedido ainda está a caminho? Sem notícias há {days} dias.",
        "Que horas o entregador passa?",
    ],
    "not_received": [
        "!O app diz que meu pacote foi entregue ontem mas não está em lugar nenhum.",
        "!Eu e meu vizinho procuramos em todo lugar, o pacote marcado como entregue não está aqui.",
        "!Estou esperando há séculos e o pacote nunca chegou, o rastreio parou e dizem que extraviou.",
        "!Dizem que deixaram num lugar seguro e não tem nada.", "!Não recebi meu pacote de jeito nenhum.",
        "!A entrega nunca aconteceu mas o status diz concluído.", "!nao chegou meu pacote e diz entregue",
        "!Pacote extraviado: {ord} nunca chegou.",
    ],
    "damaged_in_transit": [
        "!Quando abri a caixa o {item} estava quebrado, e a caixa amassada.",
        "!O pacote parecia ter sido arremessado, o {item} dentro está rachado.",
        "!Chegou avariado: amassado de um lado e o vidro quebrado.", "!Minha entrega chegou quebrada.",
        "!O canto da caixa veio afundado e o {item} também.", "!Tudo que estava dentro chegou quebrado.",
        "!veio quebrado, a embalagem esmagada", "!O produto foi danificado no transporte.",
    ],
    "wrong_item_received": [
        "!O item que recebi não é o que pedi.", "!Mandaram um {item} mas meu pedido era outra coisa.",
        "!Abri a caixa e não é meu pedido.", "!Veio o tamanho errado de novo.",
        "!É outro modelo, não o que comprei.", "!Entregaram o pacote de outra pessoa pra mim.",
        "!mandaram o produto errado", "!A cor que recebi não é a que escolhi.",
    ],
    "missing_item": [
        "!Meu pacote chegou mas está faltando algo.", "!Recebi só alguns dos itens que pedi.",
        "!Falta o {item} na minha entrega.", "!Não veio tudo na caixa.",
        "!Eram para ser dois itens e só tinha um.", "!Meu pedido está incompleto.",
        "!faltou um item", "!O pacote veio faltando parte do pedido.",
    ],
    "not_as_described": [
        "!O que recebi não é o que o site mostrava.", "!O {item} não bate em nada com a descrição.",
        "!A qualidade é muito pior do que o anunciado.", "!As fotos enganam, é de outra cor.",
        "!As especificações do anúncio estão erradas.", "!Não é como descrito.", "!Não parece nada com a página do produto.",
        "!não é igual à foto",
    ],
    "defective_item": [
        "!O {item} chegou inteiro mas não funciona.", "!Quebrou depois de poucos usos.",
        "!O {item} tem um defeito, não carrega.", "!Está com defeito.", "!O aparelho desliga sozinho toda hora.",
        "!Não funciona direito.", "!já parou de funcionar", "!Produto defeituoso, me ajudem.",
    ],
    "return_request": [
        "Quero devolver um item de {ord}.", "Como inicio uma devolução?", "Quero devolver, me reembolsem por favor.",
        "Vou devolver o {item}, o que faço?", "Quero mandar meu pedido de volta.", "devolução pfv, não serviu",
        "Recebo o reembolso se eu devolver?", "Quero devolver isso e ter meu dinheiro de volta.",
    ],
    "exchange_request": [
        "Queria trocar por outro tamanho.", "Podem me mandar em outra cor?",
        "Troquem meu {item} pelo tamanho {size}, por favor.", "Posso fazer uma troca?", "Quero trocar por outro.",
        "troca por tamanho maior pfv", "Podem trocar por um {colour}?", "Preciso trocar, não serviu bem.",
    ],
    "return_policy_question": [
        "Posso devolver depois de 30 dias?", "Produtos personalizados podem ser devolvidos?", "Vocês devolvem o valor do frete?",
        "Como sei se um produto pode ser devolvido?", "Como é o processo de troca?", "aceitam devolução?",
        "Tem prazo limite para devolver?", "Posso devolver um presente?",
    ],
    "refund_status": [
        "Continuo esperando meu reembolso.", "Já mandaram o estorno?", "Quando vão me reembolsar?",
        "O reembolso não chegou.", "Devolvi meu pedido e não fui reembolsado.", "cadê meu dinheiro?",
        "Alguma novidade do meu estorno?", "O reembolso está pendente há semanas.",
    ],
    "wrong_charge": [
        "!Fui cobrado a mais.", "!Por que cobraram duas vezes no meu cartão?",
        "!Tiraram o dinheiro duas vezes.", "!Cobraram um valor incorreto.", "!Tem um pagamento duplicado na minha conta.",
        "!cobrança errada", "!A cobrança no cartão não bate com o pedido.", "!Estornem a cobrança duplicada.",
    ],
    "payment_not_reflected": [
        "Paguei mas ainda diz aguardando pagamento.", "Meu pagamento não aparece.", "O pedido está como não pago e eu paguei.",
        "Fui cobrado e o pedido não foi confirmado.", "pagamento não atualizou no pedido", "Vocês receberam meu pagamento?",
        "Já paguei, por que o pedido está retido?", "Minha transferência já saiu, confirmem por favor.",
    ],
    "store_unavailable": [
        "!Não consigo comprar nada, o site está quebrado.", "!O pagamento no site não funciona.", "!A página não funciona.",
        "!O pagamento sempre falha no site.", "!Site fora do ar", "!Não consigo finalizar a compra.",
        "!A loja online não carrega.", "!O botão de comprar não funciona.",
    ],
    "phishing_report": [
        "Isso é golpe?", "Recebi um email falso com a marca de vocês.", "Alguém está fingindo ser vocês.",
        "Parece phishing, é de vocês?", "SMS suspeito sobre meu pacote.", "site falso com o nome de vocês",
        "Recebi uma mensagem pedindo os dados do cartão em nome de vocês.", "Esse link é confiável?",
    ],
    "other": [
        '+Obrigada, a reposição chegou e está perfeita.', '+Vocês foram super atenciosos, agradeço muito!', '+Nossa, que rapidez, muito obrigado.', '+O vestido ficou lindo, obrigada!', '+Feliz com meu pedido, vou comprar de novo.', '+Parabéns pela entrega rápida!', '+Problema resolvido, vocês são os melhores.', '+Embalagem caprichada e um bilhete fofo, obrigada.',
        "+Obrigado pela ajuda!", "+Ótimo atendimento, obrigada.", "Olá, tenho uma dúvida.", "Vocês abrem nos feriados?",
        "Tem em estoque?", "Como falo com vocês por telefone?", "Posso comprar por telefone?", "Vocês só vendem online?",
        "que horas são?", "+Pronto, tudo resolvido.", "Onde vocês ficam?", "Vocês têm catálogo?",
    ],
}
