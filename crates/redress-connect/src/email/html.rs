//! A plain tag stripper for HTML too deeply nested for `html2text` (see
//! [`super::inbound::html_to_text`]): one linear pass that drops tags, the contents of
//! `<script>`, `<style>` and `<head>`, breaks lines at block elements and decodes the common
//! entities. It reads worse than `html2text` on ordinary mail, which is why it is only the
//! fallback, but its time and output never exceed its input's.

/// Elements after whose start or end a line break goes.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// Elements whose contents are not text.
const HIDDEN: &[&str] = &["head", "script", "style", "title"];

/// The text of `html`.
pub(crate) fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    let mut hidden: Option<String> = None;
    while let Some(open) = rest.find('<') {
        if hidden.is_none() {
            push_text(&mut out, &rest[..open]);
        }
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = &after[..close];
        rest = &after[close + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .take(10)
            .collect::<String>()
            .to_ascii_lowercase();
        match &hidden {
            Some(open_name) if closing && *open_name == name => hidden = None,
            Some(_) => {}
            None if !closing && HIDDEN.contains(&name.as_str()) && !tag.ends_with('/') => hidden = Some(name),
            None if BLOCKS.contains(&name.as_str()) && !out.ends_with("\n\n") && !out.is_empty() => out.push('\n'),
            None => {}
        }
    }
    if hidden.is_none() {
        push_text(&mut out, rest);
    }
    out.lines().map(str::trim).collect::<Vec<_>>().join("\n").trim().to_owned()
}

/// Appends text between tags: white space collapsed as a browser does, entities decoded.
fn push_text(out: &mut String, text: &str) {
    let mut rest = text;
    while !rest.is_empty() {
        let (piece, entity_at) = match rest.find('&') {
            Some(at) => (&rest[..at], Some(at)),
            None => (rest, None),
        };
        for c in piece.chars() {
            if c.is_whitespace() {
                if !out.ends_with([' ', '\n']) && !out.is_empty() {
                    out.push(' ');
                }
            } else {
                out.push(c);
            }
        }
        let Some(at) = entity_at else { break };
        let entity = &rest[at..];
        let end = entity.char_indices().take(12).find(|(_, c)| *c == ';').map(|(i, _)| i);
        match end.and_then(|end| decode_entity(&entity[1..end]).map(|c| (c, end))) {
            Some((c, end)) => {
                out.push(c);
                rest = &entity[end + 1..];
            }
            None => {
                out.push('&');
                rest = &entity[1..];
            }
        }
    }
}

fn decode_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" | "#39" => Some('\''),
        "nbsp" => Some(' '),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code).filter(|c| !c.is_control() || *c == '\n')
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_go_blocks_break_entities_decode() {
        let html = "<html><head><title>x</title><style>p{}</style></head><body><p>Olá &amp; bom   dia</p>\
                    <div>linha<br>dois &#233; &#x4E2D; &bogus; &</div><script>alert(1)</script>fim</body></html>";
        assert_eq!(strip_tags(html), "Olá & bom dia\n\nlinha\ndois é 中 &bogus; &\nfim");
    }

    #[test]
    fn broken_markup_still_gives_text() {
        assert_eq!(strip_tags("a <b unclosed"), "a");
        assert_eq!(strip_tags("<div><div>deep"), "deep");
        assert_eq!(strip_tags(""), "");
    }
}
