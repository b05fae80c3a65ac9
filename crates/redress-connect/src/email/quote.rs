//! Quoted history and signatures, stripped from a reply so a case stores what the customer
//! wrote this time, not the whole thread again.
//!
//! Mail programs mark where the new text ends in a handful of ways, all recognised here on the
//! plain text (HTML mail is turned into text first, where Gmail's `<blockquote>` becomes `> `
//! lines): an attribution line ("On … wrote:", "El … escribió:", "W dniu … napisał(a):"), a
//! separator ("-----Original Message-----"), an Outlook header block ("From: … Sent: …
//! Subject: …"), the signature delimiter `-- `, a phone's "Sent from my iPhone", and `>`-quoted
//! lines. The markers, in the shop's five languages and a few more, live in
//! `quote_markers.txt`, not in this file.
//!
//! Stripping only ever removes text, so the result is never longer than its input; and when it
//! would remove everything (a message that is all quote, or starts with a forwarded header), the
//! whole text is kept instead, since losing a customer's message is worse than storing too much.

use std::sync::LazyLock;

/// The most text examined, in bytes; beyond it the message is cut. Inbound bodies are bounded
/// well below this already; the bound keeps this function safe on its own.
pub const MAX_INPUT_BYTES: usize = 1024 * 1024;

/// How many lines after an Outlook "From:" line may hold its "Sent:" and "Subject:" lines.
const HEADER_BLOCK_LINES: usize = 5;

/// How many lines an attribution may be wrapped over ("On …, Name <" / "x@y> wrote:").
const ATTRIBUTION_LINES: usize = 3;

static MARKERS: LazyLock<Markers> = LazyLock::new(|| Markers::parse(include_str!("quote_markers.txt")).0);

/// The customer's new text in `text`: quoted history, attribution lines and signatures removed,
/// runs of blank lines collapsed, and the ends trimmed.
pub fn strip_quoted(text: &str) -> String {
    let text = truncate(text, MAX_INPUT_BYTES);
    let lines: Vec<&str> = text.lines().collect();
    let markers = &*MARKERS;
    let cut = (0..lines.len()).find(|&i| markers.ends_new_text(&lines, i)).unwrap_or(lines.len());
    let kept = lines.iter().take(cut).copied().filter(|line| !line.trim_start().starts_with('>'));
    let stripped = tidy(kept);
    if stripped.is_empty() { tidy(lines.iter().copied()) } else { stripped }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
pub(crate) fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

/// Joins lines with `\n`, trimming trailing spaces, keeping at most one blank line in a row and
/// none at either end.
fn tidy<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    let mut blank_pending = false;
    for line in lines {
        let line = line.trim_end();
        if line.is_empty() {
            blank_pending = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            if blank_pending {
                out.push('\n');
            }
        }
        blank_pending = false;
        out.push_str(line);
    }
    out
}

/// An attribution line: starts with `start`, ends with `end` (both lower case).
#[derive(Debug)]
struct Attribution {
    start: String,
    end: String,
}

/// The markers of `quote_markers.txt`, lower-cased.
#[derive(Debug, Default)]
struct Markers {
    wrote: Vec<Attribution>,
    separator: Vec<String>,
    from: Vec<String>,
    sent: Vec<String>,
    subject: Vec<String>,
    signature: Vec<String>,
}

impl Markers {
    /// Reads the marker file; returns the markers and the lines it could not read (a test
    /// checks there are none, so a typo in the file fails the build's tests, not a customer).
    fn parse(text: &str) -> (Markers, Vec<String>) {
        let mut markers = Markers::default();
        let mut bad = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let mut fields = line.splitn(3, '|').map(str::trim);
            let (Some(kind), Some(_language), Some(pattern)) = (fields.next(), fields.next(), fields.next()) else {
                bad.push(line.to_owned());
                continue;
            };
            let pattern = pattern.to_lowercase();
            match kind {
                "wrote" => match pattern.split_once('…') {
                    Some((start, end)) if !end.trim().is_empty() => {
                        markers.wrote.push(Attribution { start: start.trim().to_owned(), end: end.trim().to_owned() })
                    }
                    _ => bad.push(line.to_owned()),
                },
                "separator" => markers.separator.push(pattern),
                "from" => markers.from.push(pattern),
                "sent" => markers.sent.push(pattern),
                "subject" => markers.subject.push(pattern),
                "signature" => markers.signature.push(pattern),
                _ => bad.push(line.to_owned()),
            }
        }
        (markers, bad)
    }

    /// True when the customer's new text ends before line `i`.
    fn ends_new_text(&self, lines: &[&str], i: usize) -> bool {
        let Some(line) = lines.get(i) else { return false };
        if line.trim_end() == "--" {
            return true;
        }
        let key = normalise(line);
        if key.is_empty() {
            return false;
        }
        let starts = |patterns: &[String]| patterns.iter().any(|p| key.starts_with(p.as_str()));
        if starts(&self.separator) || starts(&self.signature) || self.is_attribution(lines, i) {
            return true;
        }
        if starts(&self.from) {
            let next = lines.iter().skip(i + 1).take(HEADER_BLOCK_LINES).map(|l| normalise(l)).collect::<Vec<_>>();
            let has = |patterns: &[String]| next.iter().any(|l| patterns.iter().any(|p| l.starts_with(p.as_str())));
            return has(&self.sent) && has(&self.subject);
        }
        false
    }

    /// True when an attribution starts on line `i`, possibly wrapped over the next lines.
    fn is_attribution(&self, lines: &[&str], i: usize) -> bool {
        let mut joined = String::new();
        for (k, line) in lines.iter().skip(i).take(ATTRIBUTION_LINES).enumerate() {
            if k > 0 {
                joined.push(' ');
            }
            joined.push_str(&normalise(line));
            let wrapped = k > 0;
            if self.wrote.iter().any(|a| {
                joined.starts_with(a.start.as_str())
                    && joined.ends_with(a.end.as_str())
                    && joined.len() >= a.start.len() + a.end.len()
                    // An attribution without a start ("… napisał(a):") is only trusted on one
                    // line: joining lines would find it at the end of any paragraph.
                    && (!a.start.is_empty() || !wrapped)
            }) {
                return true;
            }
        }
        false
    }
}

/// A line as markers are matched against it: trimmed, without Outlook's `*bold*` stars, lower
/// case.
fn normalise(line: &str) -> String {
    line.trim().trim_start_matches('*').trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_file_reads_without_errors() {
        let (markers, bad) = Markers::parse(include_str!("quote_markers.txt"));
        assert!(bad.is_empty(), "unreadable marker lines: {bad:?}");
        assert!(markers.wrote.len() >= 10 && markers.signature.len() >= 15, "{markers:?}");
    }

    /// One data-driven check: the text before `|||` is what the customer wrote; `|||` itself
    /// marks where the stripped part starts.
    fn check(case: &str) {
        let (new, history) = case.split_once("|||").unwrap_or((case, ""));
        let whole = format!("{new}{history}");
        assert_eq!(strip_quoted(&whole), tidy(new.lines()), "in:\n{whole}");
    }

    #[test]
    fn attribution_lines_in_five_languages() {
        for case in [
            "The box was crushed.\n\n|||On Tue, 3 Mar 2026 at 10:15, North Wind <support@nw.example> wrote:\n> Thanks for your order",
            "La caja llegó rota.\n|||El mar, 3 mar 2026 a las 10:15, Tienda (<soporte@t.example>) escribió:\n> Gracias",
            "A caixa chegou amassada.\n|||Em ter., 3 de mar. de 2026 às 10:15, Loja <l@l.example> escreveu:\n> Obrigado",
            "Paczka przyszła uszkodzona.\n|||W dniu wt., 3.03.2026 o 10:15 Sklep <s@s.example> napisał(a):\n> Dziękujemy",
            "Paketnya rusak.\n|||Pada tanggal Sel, 3 Mar 2026 pukul 10.15 Toko <t@t.example> menulis:\n> Terima kasih",
            "Wrapped by Gmail.\n|||On Tue, 3 Mar 2026 at 10:15, North Wind Support Team <\nsupport@northwind.example> wrote:\n\n> old",
            "Apple Mail.\n|||On 3 Mar 2026, at 10:15, Ana <ana@x.example> wrote:\n\n> old",
        ] {
            check(case);
        }
    }

    #[test]
    fn outlook_separators_and_header_blocks() {
        for case in [
            "Please refund me.\n|||-----Original Message-----\nFrom: Shop\nSent: Monday\nSubject: Order",
            "Reembolso, por favor.\n|||________________________________\nDe: Tienda <t@t.example>\nEnviado: lunes\nPara: Ana\nAsunto: Pedido",
            "Proszę o zwrot.\n\n|||*Od:* Sklep <s@s.example>\n*Wysłano:* poniedziałek\n*Do:* Jan\n*Temat:* Zamówienie",
            "Quero o reembolso.\n|||De: Loja <l@l.example>\nEnviada em: segunda-feira\nPara: Ana\nAssunto: Pedido",
            "Mohon refund.\n|||-----Pesan Asli-----\nDari: Toko",
        ] {
            check(case);
        }
    }

    #[test]
    fn a_from_line_alone_is_the_customers_text() {
        check("From: my old address I wrote before.\nPlease use the new one.");
        check("De: Madrid a Sevilla tardó una semana.");
    }

    #[test]
    fn signatures_and_phone_footers() {
        for case in [
            "Where is my parcel?\n|||-- \nAna Kowalska\n+48 600 000 000",
            "Where is my parcel?\n\n|||Sent from my iPhone",
            "¿Dónde está mi pedido?\n|||Enviado desde mi Samsung Galaxy",
            "Cadê meu pedido?\n|||Enviado do meu iPhone",
            "Gdzie jest paczka?\n|||Wysłane z mojego iPhone'a",
            "Di mana paket saya?\n|||Dikirim dari iPhone saya",
            "Ok.\n|||Get Outlook for Android",
        ] {
            check(case);
        }
    }

    #[test]
    fn quoted_lines_go_and_inline_answers_stay() {
        assert_eq!(strip_quoted("> Which size?\nM please\n> Which colour?\nBlue"), "M please\nBlue");
    }

    #[test]
    fn nothing_left_keeps_everything() {
        assert_eq!(strip_quoted("> only a quote\n> nothing new"), "> only a quote\n> nothing new");
        assert_eq!(strip_quoted("Sent from my iPhone"), "Sent from my iPhone");
        assert_eq!(strip_quoted(""), "");
    }

    #[test]
    fn blank_lines_are_collapsed_and_ends_trimmed() {
        assert_eq!(strip_quoted("\n\nHello  \n\n\n\nThanks\n\n"), "Hello\n\nThanks");
        assert_eq!(strip_quoted("a\r\nb\r\n"), "a\nb");
    }

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate("żółć", 3), "ż");
        assert_eq!(truncate("abc", 10), "abc");
    }
}
