//! Fuzz-style property tests: no input makes the extractor or `understand()` panic, and the
//! results stay inside the input.

use proptest::prelude::*;
use redress_domain::IssueKind;
use redress_text::{Context, Understanding, entities};

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(any::<u8>(), 0..600).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        // Text made of the characters the scanners care about.
        proptest::string::string_regex("[0-9a-zA-Z#@.,:/$€£zł R -]{0,200}").expect("regex"),
        proptest::string::string_regex("(order|pedido|Rp|R\\$|zł|nr|resi|size|talla|[0-9]{1,25}|[.,/ -]|ż|ł|ã){0,40}")
            .expect("regex"),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn entity_extraction_never_panics_and_spans_are_valid(text in any_text(), lang in prop::option::of("en|es|pt|pl|id")) {
        for e in entities::extract(&text, lang.as_deref()) {
            prop_assert!(e.start <= e.end && e.end <= text.len());
            prop_assert_eq!(&text[e.start..e.end], e.text.as_str());
        }
    }

    #[test]
    fn understand_never_panics(text in any_text(), hint in prop::option::of(".{0,8}")) {
        let a = Understanding::shipped().understand(&text, hint.as_deref());
        prop_assert!((0.0..=1.0).contains(&a.confidence));
        prop_assert!(a.alternatives.len() <= 3);
        if a.rejected.is_some() {
            prop_assert_eq!(a.kind, IssueKind::Other);
            prop_assert!(a.low_confidence);
        }
        prop_assert!(serde_json::to_string(&a).is_ok());
    }

    #[test]
    fn understanding_with_facts_never_panics_and_stays_in_range(text in any_text(), earlier in 0u32..5) {
        let a = Understanding::shipped().understand_with(&text, &Context { earlier_messages_from_customer: earlier, ..Context::default() });
        for e in &a.escalation {
            prop_assert!((0.0..=1.0).contains(&e.confidence));
        }
        prop_assert_eq!(earlier > 0, a.escalation.iter().any(|e| e.from_context));
        prop_assert!(a.language.supported || a.low_confidence);
    }

    #[test]
    fn jsonl_answers_each_nonblank_line(lines in proptest::collection::vec(any_text(), 0..8)) {
        let input: String = lines.iter().map(|l| format!("{}\n", l.replace('\n', " "))).collect();
        let mut out = Vec::new();
        let summary = Understanding::shipped().understand_jsonl(input.as_bytes(), &mut out).expect("in-memory io");
        let written = String::from_utf8(out).expect("utf-8 output");
        prop_assert_eq!(written.lines().count(), summary.analysed + summary.errors);
        for l in written.lines() {
            prop_assert!(serde_json::from_str::<serde_json::Value>(l).is_ok());
        }
    }
}

#[test]
fn huge_and_hostile_inputs_are_bounded() {
    let m = Understanding::shipped();
    let huge = "my parcel never arrived ".repeat(50_000);
    let a = m.understand(&huge, None);
    assert!(a.truncated);
    let digits = "1".repeat(1 << 20);
    assert_eq!(m.understand(&digits, None).kind, IssueKind::Other);
    let emoji = "📦💔😡".repeat(1000);
    assert_eq!(m.understand(&emoji, None).rejected, Some("no_letters"));
    let mixed = "我的包裹在哪里 where is 我的 order?";
    let a = m.understand(mixed, None);
    assert!(a.low_confidence || a.kind == IssueKind::OrderStatus, "{a:?}");
}
