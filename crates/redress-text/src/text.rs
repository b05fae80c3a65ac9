//! Text preparation: input capping, tokenisation with byte offsets, accent folding and feature
//! hashing. Everything downstream (models, lexicons, entities) sees text through here.

/// Most bytes of a message that are analysed; the rest is ignored (and reported as truncated).
pub const MAX_ANALYSED_BYTES: usize = 8 * 1024;

/// Cuts `text` to at most `max` bytes on a character boundary.
pub fn cap(text: &str, max: usize) -> (&str, bool) {
    if text.len() <= max {
        return (text, false);
    }
    let mut end = max;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    (&text[..end], true)
}

/// Lower-cases `c` and removes its diacritics (`Ł`→`l`, `ã`→`a`, `ñ`→`n`), pushing the result.
pub fn push_folded(c: char, out: &mut String) {
    for l in c.to_lowercase() {
        let f = match l {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ą' | 'ā' => 'a',
            'ç' | 'ć' | 'č' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'ę' | 'ē' | 'ě' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
            'ł' => 'l',
            'ñ' | 'ń' | 'ň' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
            'ś' | 'š' => 's',
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => 'u',
            'ý' | 'ÿ' => 'y',
            'ź' | 'ż' | 'ž' => 'z',
            'ř' => 'r',
            'ß' => {
                out.push_str("ss");
                continue;
            }
            other => other,
        };
        out.push(f);
    }
}

/// Folds a whole string: lower case, no diacritics, everything else kept.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_folded(c, &mut out);
    }
    out
}

/// A word of the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Lower-cased, accent-folded form.
    pub folded: String,
    /// Lower-cased form with accents kept (for language identification); empty when it is the
    /// same as `folded` (any word without accents), to spare an allocation per word.
    pub lower: String,
    /// Byte offset of the first character in the original text.
    pub start: usize,
    /// Byte offset just past the last character in the original text.
    pub end: usize,
    /// True when the word contains a digit.
    pub has_digit: bool,
}

impl Token {
    /// Lower-cased form with accents kept.
    pub fn lower(&self) -> &str {
        if self.lower.is_empty() { &self.folded } else { &self.lower }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '`')
}

/// Splits `text` into words of letters and digits. Apostrophes inside a word are dropped
/// (`don't` → `dont`), so that users who leave them out read the same.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut current: Option<Token> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if is_word_char(c) {
            let tok = current.get_or_insert_with(|| Token {
                folded: String::new(),
                lower: String::new(),
                start: i,
                end: i,
                has_digit: false,
            });
            if c.is_ascii() {
                tok.folded.push(c.to_ascii_lowercase());
                if !tok.lower.is_empty() {
                    tok.lower.push(c.to_ascii_lowercase());
                }
            } else {
                if tok.lower.is_empty() {
                    // The first non-ASCII letter: the forms part from here.
                    tok.lower.push_str(&tok.folded);
                }
                push_folded(c, &mut tok.folded);
                tok.lower.extend(c.to_lowercase());
            }
            tok.has_digit |= c.is_numeric();
            tok.end = i + c.len_utf8();
        } else if is_joiner(c) && current.is_some() && iter.peek().is_some_and(|(_, n)| is_word_char(*n)) {
            // Keep the word going across the apostrophe.
        } else if let Some(tok) = current.take() {
            tokens.push(tok);
        }
    }
    if let Some(tok) = current.take() {
        tokens.push(tok);
    }
    tokens
}

/// Words and word prefixes (`word*`) with a value each, looked up without scanning the list:
/// exact words by hash, prefixes by their first two bytes.
#[derive(Debug, Clone)]
pub struct WordPatterns<V> {
    exact: rustc_hash::FxHashMap<&'static str, V>,
    prefixes: rustc_hash::FxHashMap<[u8; 2], Vec<(&'static str, V)>>,
}

/// The first two bytes of a word, if it has two.
pub fn first_two(w: &str) -> Option<[u8; 2]> {
    match w.as_bytes() {
        [a, b, ..] => Some([*a, *b]),
        _ => None,
    }
}

impl<V: Copy> WordPatterns<V> {
    /// Compiles `(pattern, value)` pairs; a pattern ending in `*` is a prefix (at least two
    /// bytes long; a shorter one matches only itself). The first pattern listed wins.
    pub fn new(list: impl IntoIterator<Item = (&'static str, V)>) -> Self {
        let mut exact = rustc_hash::FxHashMap::default();
        let mut prefixes: rustc_hash::FxHashMap<[u8; 2], Vec<(&'static str, V)>> = rustc_hash::FxHashMap::default();
        for (p, v) in list {
            match p.strip_suffix('*') {
                Some(prefix) => match first_two(prefix) {
                    Some(k) => prefixes.entry(k).or_default().push((prefix, v)),
                    None => {
                        exact.entry(prefix).or_insert(v);
                    }
                },
                None => {
                    exact.entry(p).or_insert(v);
                }
            }
        }
        Self { exact, prefixes }
    }

    /// The value of the pattern `w` matches: an exact word first, then the first prefix.
    pub fn get(&self, w: &str) -> Option<V> {
        self.exact.get(w).copied().or_else(|| {
            let candidates = self.prefixes.get(&first_two(w)?)?;
            candidates.iter().find(|(p, _)| w.starts_with(p)).map(|(_, v)| *v)
        })
    }
}

/// What kind of script the letters of a message are in.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScriptStats {
    /// Letters in the Latin script (including accented ones).
    pub latin: usize,
    /// Letters in any other script.
    pub other_letters: usize,
    /// Digits.
    pub digits: usize,
    /// Control characters and U+FFFD replacement characters (signs of binary junk).
    pub junk: usize,
    /// All characters.
    pub chars: usize,
}

/// Counts letters by script, digits and junk characters.
pub fn script_stats(text: &str) -> ScriptStats {
    let mut s = ScriptStats::default();
    for c in text.chars() {
        s.chars += 1;
        // Most characters are ASCII; the Unicode tables are only for the rest.
        if c.is_ascii() {
            if c.is_ascii_alphabetic() {
                s.latin += 1;
            } else if c.is_ascii_digit() {
                s.digits += 1;
            } else if c.is_ascii_control() && !c.is_ascii_whitespace() {
                s.junk += 1;
            }
            continue;
        }
        if c.is_alphabetic() {
            if (c as u32) < 0x250 || (0x1E00..0x1F00).contains(&(c as u32)) {
                s.latin += 1;
            } else {
                s.other_letters += 1;
            }
        } else if c.is_numeric() {
            s.digits += 1;
        } else if (c.is_control() && !c.is_whitespace()) || c == '\u{FFFD}' {
            s.junk += 1;
        }
    }
    s
}

/// FNV-1a, 64 bits, over several byte strings, starting from a namespace seed.
#[inline]
pub fn hash_parts(namespace: u64, parts: &[&[u8]]) -> u64 {
    let mut h = seed(namespace);
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h = step(h, 0x1f);
        }
        for &b in *p {
            h = step(h, b);
        }
    }
    finish(h)
}

#[inline]
fn seed(namespace: u64) -> u64 {
    0xcbf2_9ce4_8422_2325 ^ namespace.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

#[inline]
fn step(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
}

/// Final avalanche, so that the low bits used as bucket index are well mixed.
#[inline]
fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// Combines two finished hashes into a third (a bigram from its words' hashes), without
/// hashing the words' bytes again.
#[inline]
fn combine(namespace: u64, a: u64, b: u64) -> u64 {
    finish(seed(namespace) ^ a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.rotate_left(29))
}

const NS_WORD: u64 = 1;
const NS_BIGRAM: u64 = 2;
const NS_CHAR: u64 = 3;
const NS_LANG_CHAR: u64 = 4;
const NS_LANG_WORD: u64 = 5;
const NS_EXTRA: u64 = 6;
const NS_BIAS_WORDS: u64 = 7;
const NS_STEM: u64 = 8;
const NS_STEM_BIGRAM: u64 = 9;
const NS_LAST: u64 = 10;

/// The word form used by the issue and sentiment models: numbers collapse to a shape.
fn word_form(tok: &Token) -> &str {
    if !tok.has_digit {
        &tok.folded
    } else if tok.folded.chars().all(|c| c.is_numeric()) {
        "<num>"
    } else {
        "<code>"
    }
}

/// The first five characters of a word: a crude stem shared by inflected forms.
fn stem_of(w: &str) -> &str {
    match w.char_indices().nth(5) {
        Some((i, _)) => &w[..i],
        None => w,
    }
}

/// Most words used for features. A longer message is read at its start (who, what order) and
/// its end (where the request usually is); the middle of a long story is skipped.
pub const MAX_FEATURE_WORDS: usize = 400;
/// Of [`MAX_FEATURE_WORDS`], how many come from the start of a long message.
const HEAD_WORDS: usize = 100;
/// Most words the language model reads: the language shows in the first sentence or two.
const MAX_LANGUAGE_WORDS: usize = 32;

/// Which tokens the feature functions read: all of them, or the head and the tail of a long
/// message.
pub fn feature_tokens(n: usize) -> impl Iterator<Item = usize> {
    let (head, tail_start) =
        if n > MAX_FEATURE_WORDS { (HEAD_WORDS, n - (MAX_FEATURE_WORDS - HEAD_WORDS)) } else { (n, n) };
    (0..head).chain(tail_start..n)
}

/// Token ranges `(first, end)` of the sentences of a message: split at `.`, `!`, `?`, `;` and
/// line breaks between words.
pub fn sentences(text: &str, tokens: &[Token]) -> Vec<(usize, usize)> {
    split_at(text, tokens, b".!?;\n")
}

/// Token ranges of the clauses of a message: sentences, also split at `,` and `:` (where
/// "I already asked twice, where is my parcel?" turns from one matter to the next).
pub fn clauses(text: &str, tokens: &[Token]) -> Vec<(usize, usize)> {
    split_at(text, tokens, b".!?;\n,:")
}

fn split_at(text: &str, tokens: &[Token], marks: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut first = 0;
    for i in 1..tokens.len() {
        let gap = text.get(tokens[i - 1].end..tokens[i].start).unwrap_or_default();
        if gap.bytes().any(|b| marks.contains(&b)) {
            out.push((first, i));
            first = i;
        }
    }
    if first < tokens.len() {
        out.push((first, tokens.len()));
    }
    out
}

/// Where [`topic_features_into`] puts features: a list (training, [`topic_features`]) or a
/// scorer that sums each word's character n-grams once per distinct word (inference).
pub trait FeatureSink {
    /// Token `token` begins (called for every token, also those not read).
    fn begin_token(&mut self, token: usize);
    /// A feature of the current token (its bigrams; the unigram of a number).
    fn word_feature(&mut self, feature: u64);
    /// The current token's features that depend on its word alone: those [`word_features`]
    /// gives for `form` (a sink may compute them once per distinct word).
    fn word_features(&mut self, form: &str);
    /// The tokens are done; only message features follow.
    fn end_tokens(&mut self);
    /// A feature of the message as a whole.
    fn message_feature(&mut self, feature: u64);
}

/// Features into a list, with where each token's features start.
struct ListSink<'a> {
    out: &'a mut Vec<u64>,
    starts: &'a mut Vec<u32>,
}

impl FeatureSink for ListSink<'_> {
    fn begin_token(&mut self, _token: usize) {
        self.starts.push(self.out.len() as u32);
    }
    fn word_feature(&mut self, feature: u64) {
        self.out.push(feature);
    }
    fn word_features(&mut self, form: &str) {
        word_features(form, self.out);
    }
    fn end_tokens(&mut self) {
        self.starts.push(self.out.len() as u32);
    }
    fn message_feature(&mut self, feature: u64) {
        self.out.push(feature);
    }
}

/// Hashed features for the issue-kind, sentiment and escalation models: word unigrams and
/// bigrams over folded words, bigrams of 5-letter stems, character 3–5-grams inside each word
/// (with boundary marks), the words of the last two sentences of three or more words (where a
/// request that follows a story is), and a length bucket. `token_starts` gets, per token,
/// where its features start in `out` (so that a window of tokens is a range of features).
pub fn topic_features(tokens: &[Token], sentences: &[(usize, usize)], out: &mut Vec<u64>, token_starts: &mut Vec<u32>) {
    token_starts.clear();
    topic_features_into(tokens, sentences, &mut ListSink { out, starts: token_starts });
}

/// The features of [`topic_features`], into any sink.
pub fn topic_features_into(tokens: &[Token], sentences: &[(usize, usize)], sink: &mut impl FeatureSink) {
    let mut prev: u64 = hash_parts(NS_WORD, &[b"<s>"]);
    let mut prev_stem: u64 = prev;
    let mut prev_was_stemmed = false;
    let mut next = feature_tokens(tokens.len()).peekable();
    let mut used = 0usize;
    for (i, tok) in tokens.iter().enumerate() {
        sink.begin_token(i);
        if next.peek() != Some(&i) {
            continue;
        }
        next.next();
        used += 1;
        let w = word_form(tok);
        let wh = hash_parts(NS_WORD, &[w.as_bytes()]);
        if !tok.has_digit && w.len() <= 40 {
            sink.word_features(w);
        } else {
            sink.word_feature(wh);
        }
        sink.word_feature(combine(NS_BIGRAM, prev, wh));
        let stem = stem_of(w);
        let stemmed = stem.len() < w.len();
        let sh = if stemmed { hash_parts(NS_STEM, &[stem.as_bytes()]) } else { wh };
        if stemmed || prev_was_stemmed {
            sink.word_feature(combine(NS_STEM_BIGRAM, prev_stem, sh));
        }
        prev = wh;
        prev_stem = sh;
        prev_was_stemmed = stemmed;
    }
    sink.end_tokens();
    sink.message_feature(combine(NS_BIGRAM, prev, hash_parts(NS_WORD, &[b"</s>"])));
    for &(a, b) in sentences.iter().rev().filter(|(a, b)| b - a >= 3).take(2) {
        for tok in tokens.get(a..b).unwrap_or_default().iter().take(24) {
            sink.message_feature(hash_parts(NS_LAST, &[word_form(tok).as_bytes()]));
        }
    }
    // A length shape feature lets the model learn that one-word messages are rarely specific.
    let len_bucket: &[u8] = match used {
        0 => b"0",
        1 => b"1",
        2..=3 => b"2-3",
        4..=8 => b"4-8",
        9..=20 => b"9-20",
        _ => b"21+",
    };
    sink.message_feature(hash_parts(NS_BIAS_WORDS, &[len_bucket]));
}

/// The features of a folded word (no digits, at most 40 bytes) that depend on it alone: its
/// unigram and its character 3–5-grams, with boundary marks.
pub fn word_features(form: &str, out: &mut Vec<u64>) {
    out.push(hash_parts(NS_WORD, &[form.as_bytes()]));
    let mut buf = [0u8; 48];
    let n = form.len();
    if n + 2 > buf.len() {
        return;
    }
    buf[0] = b' ';
    buf[1..=n].copy_from_slice(form.as_bytes());
    buf[n + 1] = b' ';
    char_ngrams(&buf[..n + 2], 3, 5, NS_CHAR, out);
}

/// Character n-grams of `bytes` (UTF-8), from `min` to `max` characters long. The n-grams that
/// start at one character are hashed in one pass, each length finished from the same running
/// hash, so a character's bytes are hashed `max` times at most, not once per n-gram.
fn char_ngrams(bytes: &[u8], min: usize, max: usize, ns: u64, out: &mut Vec<u64>) {
    // Start offsets of each character, and the end.
    let mut starts: [usize; 49] = [0; 49];
    let mut n = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if (b & 0xC0) != 0x80 {
            if n == starts.len() - 1 {
                return;
            }
            starts[n] = i;
            n += 1;
        }
    }
    starts[n] = bytes.len();
    let base = seed(ns);
    for s in 0..n {
        let mut h = base;
        for len in 1..=max.min(n - s) {
            for &b in &bytes[starts[s + len - 1]..starts[s + len]] {
                h = step(h, b);
            }
            if len >= min {
                out.push(finish(h ^ ((len as u64) << 56)));
            }
        }
    }
}

/// An extra named feature (lexicon hits and the like).
pub fn extra_feature(name: &str) -> u64 {
    hash_parts(NS_EXTRA, &[name.as_bytes()])
}

/// Hashed features for language identification: character 1–4-grams of lower-cased words
/// with accents kept, plus whole short words, over the first words of the message.
pub fn language_features(tokens: &[Token], out: &mut Vec<u64>) {
    for w in language_words(tokens) {
        language_word_features(w, out);
    }
}

/// The words the language model reads: the first [`MAX_LANGUAGE_WORDS`] without digits, as
/// lower-cased words with accents kept.
pub fn language_words(tokens: &[Token]) -> impl Iterator<Item = &str> {
    tokens.iter().filter(|t| !t.has_digit && t.lower().len() <= 40).take(MAX_LANGUAGE_WORDS).map(Token::lower)
}

/// The language features of one word (see [`language_features`]).
pub fn language_word_features(lower: &str, out: &mut Vec<u64>) {
    out.push(hash_parts(NS_LANG_WORD, &[lower.as_bytes()]));
    let mut buf = [0u8; 48];
    let n = lower.len();
    if n + 2 > buf.len() {
        return;
    }
    buf[0] = b' ';
    buf[1..=n].copy_from_slice(lower.as_bytes());
    buf[n + 1] = b' ';
    char_ngrams(&buf[..n + 2], 1, 4, NS_LANG_CHAR, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_of_all_five_languages() {
        assert_eq!(fold("Żółć Łódź ÑANDÚ não Pedido Nº"), "zolc lodz nandu nao pedido nº");
    }

    #[test]
    fn tokenizes_with_offsets_and_apostrophes() {
        let t = tokenize("I don't  have #123, ¿dónde?");
        let words: Vec<&str> = t.iter().map(|t| t.folded.as_str()).collect();
        assert_eq!(words, ["i", "dont", "have", "123", "donde"]);
        assert_eq!(&"I don't  have #123, ¿dónde?"[t[4].start..t[4].end], "dónde");
        assert!(t[3].has_digit);
    }

    #[test]
    fn char_ngrams_count_each_length_once() {
        let mut out = Vec::new();
        char_ngrams(" żółw ".as_bytes(), 3, 5, NS_CHAR, &mut out);
        // 6 characters: 4 trigrams, 3 four-grams, 2 five-grams, all different.
        assert_eq!(out.len(), 9);
        out.sort_unstable();
        out.dedup();
        assert_eq!(out.len(), 9);
    }

    #[test]
    fn sentences_split_at_punctuation_and_long_messages_keep_head_and_tail() {
        let text = "Hi. I ordered a lamp! Where is it?\nthanks";
        let t = tokenize(text);
        assert_eq!(sentences(text, &t), [(0, 1), (1, 5), (5, 8), (8, 9)]);
        let read: Vec<usize> = feature_tokens(1000).collect();
        assert_eq!(read.len(), MAX_FEATURE_WORDS);
        assert_eq!(read[HEAD_WORDS], 1000 - (MAX_FEATURE_WORDS - HEAD_WORDS));
        assert_eq!(read.last(), Some(&999));
    }

    #[test]
    fn ascii_words_share_their_forms_and_accented_ones_keep_both() {
        let t = tokenize("Hola NIÑO");
        assert_eq!((t[0].folded.as_str(), t[0].lower()), ("hola", "hola"));
        assert!(t[0].lower.is_empty());
        assert_eq!((t[1].folded.as_str(), t[1].lower()), ("nino", "niño"));
    }

    #[test]
    fn word_patterns_match_words_and_prefixes() {
        let p = WordPatterns::new([("red", 1), ("blu*", 2), ("b*", 3)]);
        assert_eq!(p.get("red"), Some(1));
        assert_eq!(p.get("bluish"), Some(2));
        assert_eq!(p.get("reddish"), None);
        assert_eq!(p.get("b"), Some(3));
    }

    #[test]
    fn cap_respects_char_boundaries() {
        let (s, cut) = cap("żżż", 3);
        assert_eq!(s, "ż");
        assert!(cut);
    }
}
