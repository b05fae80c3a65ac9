# Respostas sugeridas, português. Ver en.ftl. `$order_ref` vem sem artigo (`encomenda n.º 12`),
# para que cada frase o contraia com a preposição certa (`da`, `na`, `pela`, `à`).

greeting-known = Olá, { $name },
greeting-unknown = Olá,
signoff-known = Com os melhores cumprimentos,
    Apoio ao cliente { $shop }
signoff-unknown = Com os melhores cumprimentos,
    Apoio ao cliente
reasons-intro = Porque decidimos assim:
policy-intro = O que diz a nossa política:
order-known = encomenda n.º { $order }
order-unknown = encomenda
items-unknown = os seus artigos
carrier-unknown = a transportadora
amount-unknown = o valor
refund-when-known = até { $refund_date }
refund-when-unknown = dentro de 5 a 10 dias úteis
delivery-when-known = até { $delivery_date }
delivery-when-unknown = dentro de poucos dias úteis
tracking-known = Pode acompanhar o pacote com a { $carrier }, código de rastreio { $tracking } ({ $tracking_url }).
tracking-known-no-link = Pode acompanhar o pacote com a { $carrier }, código de rastreio { $tracking }.
tracking-unknown = Enviaremos o código de rastreio assim que o pacote estiver com a transportadora.
ordered-known = (feita a { $order_date })
ordered-unknown = {""}

kind-cancel_order = Recebemos o seu pedido para cancelar a { $order_ref } { $ordered }. Se ainda não saiu do nosso armazém, cancelamos de imediato e libertamos o pagamento; confirmaremos em breve.
    .subject = Cancelamento da { $order_ref }
kind-change_shipping_address = Obrigado por nos avisar sobre a morada de entrega da { $order_ref }. Responda com a nova morada completa: enquanto o pacote não estiver com a transportadora, atualizamos.
    .subject = Morada de entrega da { $order_ref }
kind-change_order_items = Recebemos o seu pedido para alterar { $items } na { $order_ref }. Se a encomenda ainda não foi embalada podemos alterá-la antes do envio; confirmaremos os novos artigos e a diferença de preço, se houver.
    .subject = Alteração da { $order_ref }
kind-billing_info_error = Vamos corrigir os dados de faturação da { $order_ref }. Envie-nos o nome, a morada e o número de contribuinte corretos e emitimos uma fatura corrigida.
    .subject = Dados de faturação da { $order_ref }
kind-order_status = Eis as últimas novidades sobre a { $order_ref }. { $tracking_line } Deve chegar { $delivery_when }.
    .subject = Onde está a { $order_ref }
kind-not_received = Lamentamos que a { $order_ref } ainda não tenha chegado. { $tracking_line } Estamos a verificar com { $carrier } e respondemos dentro de 2 dias úteis.
    .subject = a { $order_ref } não chegou
kind-damaged_in_transit = Lamentamos que { $items } tenha chegado danificado. Pode enviar-nos uma foto do artigo e da caixa? Resolvemos assim que as virmos.
    .subject = Artigo danificado na { $order_ref }
kind-wrong_item_received = Pedimos desculpa, enviámos o artigo errado na { $order_ref }. Pode enviar-nos uma foto do que recebeu? Enviaremos { $items } de imediato.
    .subject = Artigo errado na { $order_ref }
kind-missing_item = Lamentamos que { $items } não tenha vindo na { $order_ref }. Estamos a verificar com o armazém e enviaremos o que falta.
    .subject = Falta um artigo na { $order_ref }
kind-not_as_described = Lamentamos que { $items } não corresponda ao que a descrição fazia esperar. Pode dizer-nos o que é diferente, com uma foto se possível?
    .subject = Sobre { $items }
kind-defective_item = Lamentamos que { $items } não funcione como devia. Pode descrever o defeito e enviar uma foto ou um vídeo curto? Está coberto pela nossa garantia.
    .subject = Artigo com defeito na { $order_ref }
kind-return_request = Obrigado pela sua mensagem. Pode devolver { $items } da { $order_ref }: enviamos uma etiqueta de devolução e reembolsamos quando o pacote chegar.
    .subject = Devolução de { $items }
kind-exchange_request = Teremos todo o gosto em ajudar a trocar { $items }. Diga-nos o tamanho ou a cor que prefere e enviamos uma etiqueta de devolução grátis.
    .subject = Troca de { $items }
kind-return_policy_question = Obrigado pela pergunta. Pode iniciar uma devolução ou uma troca na página da sua encomenda quando quiser; as regras principais estão abaixo.
    .subject = A nossa política de devoluções
kind-refund_status = O seu reembolso de { $amount } referente à { $order_ref } está a caminho. Deve vê-lo no extrato { $refund_when }.
    .subject = O seu reembolso da { $order_ref }
kind-wrong_charge = Lamentamos a cobrança da { $order_ref }. Estamos a verificar o pagamento com o nosso fornecedor; se foi cobrado duas vezes ou a mais, devolvemos a diferença na totalidade.
    .subject = A cobrança da { $order_ref }
kind-payment_not_reflected = Obrigado por nos avisar. Estamos a associar o seu pagamento à { $order_ref }; transferências e boletos podem levar de 1 a 3 dias úteis. Por favor, não pague outra vez.
    .subject = Pagamento da { $order_ref }
kind-store_unavailable = Lamentamos que a nossa loja lhe tenha dado problemas. Tente novamente dentro de alguns minutos; se continuar a falhar, responda com uma captura de ecrã e ajudamos a concluir a compra.
    .subject = Problemas com a nossa loja
kind-phishing_report = Obrigado pelo aviso. Essa mensagem não foi enviada por nós: nunca pedimos senhas nem números de cartão por email ou SMS. Não clique nos links e, se introduziu dados do cartão, contacte o seu banco.
    .subject = Mensagem suspeita em nosso nome
kind-other = Obrigado pelo contacto. Recebemos a sua mensagem e responderemos o mais depressa possível.
    .subject = A sua mensagem

remedy-amend_order = Alterámos a { $order_ref } como pediu: agora inclui { $items } e será enviada normalmente.
    .subject = a { $order_ref } foi alterada
remedy-cancel_order = Cancelámos a { $order_ref }. Receberá { $amount } na sua conta { $refund_when }.
    .subject = a { $order_ref } foi cancelada
remedy-carrier_trace = Abrimos uma investigação com { $carrier } sobre a { $order_ref }. { $tracking_line } Damos notícias dentro de 2 dias úteis; se o pacote se perdeu, enviamos outro ou reembolsamos.
    .subject = Estamos a localizar a { $order_ref }
remedy-reship = Vamos enviar { $items } novamente, sem custos. { $tracking_line } Deve chegar { $delivery_when }.
    .subject = Reenvio da { $order_ref }
remedy-exchange = A sua troca está aprovada: enviamos { $items } assim que a devolução estiver a caminho. { $tracking_line }
    .subject = A sua troca da { $order_ref }
remedy-return_refund = A sua devolução está aprovada. Envie { $items } com a etiqueta em anexo; quando chegar, reembolsamos { $amount }, que deve ver { $refund_when }.
    .subject = A sua devolução da { $order_ref }
remedy-refund_keep_item = Reembolsámos { $amount } por { $items } e pode ficar com o artigo. Deve ver o dinheiro { $refund_when }.
    .subject = Reembolso da { $order_ref }
remedy-partial_refund = Fizemos um reembolso parcial de { $amount } referente à { $order_ref }. Deve vê-lo { $refund_when }.
    .subject = Reembolso parcial da { $order_ref }
remedy-store_credit = Adicionámos { $amount } de crédito na loja à sua conta. Pode usá-lo em qualquer encomenda, quando quiser.
    .subject = Crédito na loja pela { $order_ref }
remedy-compensation = Pedimos desculpa pelo incómodo. Como compensação, adicionámos à sua conta um vale de { $amount } para a próxima encomenda.
    .subject = As nossas desculpas pela { $order_ref }
remedy-refund_duplicate_charge = Tinha razão: a { $order_ref } foi cobrada duas vezes. Devolvemos a cobrança duplicada de { $amount }; deve vê-la { $refund_when }.
    .subject = Cobrança duplicada reembolsada
remedy-reissue_invoice = Emitimos uma fatura corrigida para a { $order_ref }. Segue em anexo e também está na página da encomenda.
    .subject = Fatura corrigida da { $order_ref }
remedy-inform = Obrigado pela sua pergunta sobre a { $order_ref }. Eis o que precisa de saber.
    .subject = Sobre a { $order_ref }
remedy-escalate = Passámos o seu caso sobre a { $order_ref } a um especialista da nossa equipa, que responderá dentro de 1 dia útil.
    .subject = O seu caso sobre a { $order_ref }

# The last lines of an answer sent by email: how to answer, and who writes.
email-footer = Responda a este e-mail para acrescentar algo ao seu caso { $case }.
    { $shop }

## Acompanhamentos que o Redress escreve sozinho.
follow-reminder = Ainda aguardamos sua resposta sobre o caso { $case }. Responda a esta mensagem quando puder para que { $shop } possa resolver.
follow-closed = Não recebemos resposta, então o caso { $case } foi encerrado. Se ainda precisar de ajuda, basta responder e o reabriremos.
follow-return-reminder = A devolução do caso { $case } ainda não foi enviada. Envie-a em breve para que { $shop } possa concluir seu reembolso ou troca.
follow-survey = Como nos saímos no caso { $case }? Avalie de 1 a 5 com um clique: { $link }
# A refund asked for that waits for approval: never said to be on its way.
refund-awaiting = O seu reembolso de { $amount } referente à { $order_ref } foi pedido e aguarda a aprovação da nossa equipa. Escrevemos-lhe assim que for aprovado e enviado.
    .subject = O seu reembolso da { $order_ref }
# Avisos: o que o cliente recebe no seu próprio canal quando algo acontece no caso.
follow-refund-sent = { $shop } enviou o seu reembolso de { $amount } referente ao caso { $case }. Conforme o banco, pode levar alguns dias úteis para aparecer.
follow-refund-sent-by = { $shop } enviou o seu reembolso de { $amount } referente ao caso { $case }. Deverá aparecer no seu extrato até { $date }.
follow-label-issued = A etiqueta de devolução do caso { $case } está pronta. Imprima-a, cole-a na encomenda e entregue-a à transportadora.
follow-resolved = O caso { $case } está resolvido. Se algo ainda não estiver certo, basta responder e voltaremos a abri-lo.
follow-portal-link = Veja a sua encomenda e este caso quando quiser: { $link }
