agent-reply-photos =
    Olá { $first },

    Lamentamos muito o que aconteceu com o pedido { $order }. Para resolvermos rapidamente, poderia enviar duas ou três fotos do artigo, da etiqueta e da caixa em que chegou? Assim que as recebermos, enviamos um novo ou fazemos o reembolso, como preferir, sem qualquer custo de devolução.

    Atenciosamente,
    { $agent }
    Northwind Outfitters
customer-answer-photos =
    Olá { $agent }, seguem em anexo as fotos do artigo, da etiqueta e da caixa. Agradeço a rapidez.
agent-reply-trace =
    Olá { $first },

    Agradecemos a paciência. Verificámos o pedido { $order }: a encomenda está com a { $carrier }, com o código de rastreio { $tracking }. Já abrimos um pedido de investigação e daremos notícias em até dois dias úteis. Se a encomenda não aparecer, enviamos outra ou devolvemos o valor total, como preferir.

    Atenciosamente,
    { $agent }
customer-answer-trace =
    Certo. Aguardo notícias, por favor não deixem isto cair no esquecimento.
agent-reply-amend =
    Olá { $first },

    Boa notícia: o pedido { $order } ainda não saiu do nosso armazém, por isso ainda conseguimos alterá-lo. Já o colocámos em espera. Pode confirmar exatamente a alteração que deseja? Atualizamos o pedido logo a seguir.

    Atenciosamente,
    { $agent }
customer-answer-amend =
    Sim, pode avançar como indiquei na primeira mensagem, por favor. Agradeço!
agent-reply-invoice =
    Olá { $first },

    Agradecemos os dados. Pedimos à equipa financeira a emissão de um documento fiscal corrigido para o pedido { $order }. Pode confirmar o nome, a morada e o número fiscal exatamente como devem aparecer? O novo documento segue por email em até dois dias úteis.

    Atenciosamente,
    { $agent }
customer-answer-invoice =
    Sim, pode avançar como indiquei na primeira mensagem, por favor. Agradeço!
agent-reply-returns =
    Olá { $first },

    Claro! Tem 30 dias a contar da entrega para devolver ou trocar artigos sem uso e com etiqueta. Já preparámos a devolução do pedido { $order }: vai receber por email uma etiqueta pré-paga. Numa troca, o novo tamanho é enviado assim que a transportadora registar a sua encomenda. Artigos de venda final e artigos de higiene abertos (roupa interior, banho) só podem ser devolvidos se tiverem defeito.

    Atenciosamente,
    { $agent }
customer-answer-returns =
    Perfeito, sim, pode avançar. Agradeço!
agent-reply-warehouse =
    Olá { $first },

    Lamentamos que falte um artigo no pedido { $order }. Pedimos ao armazém que verifique o registo de embalagem e o peso da encomenda. Assim que confirmarem, enviamos o artigo em falta por envio expresso, sem custos, e partilhamos o novo código de rastreio.

    Atenciosamente,
    { $agent }
customer-answer-warehouse =
    Certo. Aguardo notícias, por favor não deixem isto cair no esquecimento.
agent-reply-money =
    Olá { $first },

    Agradecemos o aviso e pedimos desculpa pelo transtorno. Verificámos os pagamentos do pedido { $order } junto do nosso processador de pagamentos e abrimos um pedido de análise. Depois de emitido, um reembolso costuma levar 5 a 10 dias úteis a aparecer na conta; enviamos a referência assim que a tivermos.

    Atenciosamente,
    { $agent }
customer-answer-money =
    Certo. Aguardo notícias, por favor não deixem isto cair no esquecimento.
agent-reply-security =
    Olá { $first },

    Agradecemos muito o aviso. Essa mensagem não é nossa: nunca pedimos pagamentos, dados do cartão ou documentos por SMS ou WhatsApp, e os nossos emails vêm apenas de @northwind-outfitters.com. Já denunciámos o número e o site.

    Atenciosamente,
    { $agent }
customer-answer-security =
    Certo. Aguardo notícias, por favor não deixem isto cair no esquecimento.
agent-reply-outage =
    Olá { $first },

    Pedimos desculpa pelo incómodo. O nosso sistema de pagamentos teve uma falha esta manhã; já está resolvida e o checkout voltou a funcionar. As tentativas falhadas não foram cobradas.

    Atenciosamente,
    { $agent }
customer-answer-outage =
    Certo. Aguardo notícias, por favor não deixem isto cair no esquecimento.
agent-reply-general =
    Olá { $first },

    Muito obrigada pela mensagem! Já a partilhámos com toda a equipa. Se precisar de alguma coisa, estamos por aqui.

    Atenciosamente,
    { $agent }
customer-answer-general =
    Certo. Aguardo notícias, por favor não deixem isto cair no esquecimento.
