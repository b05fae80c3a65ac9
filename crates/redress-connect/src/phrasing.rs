//! Optional phrasing of the assistant's replies by an OpenAI-compatible language model (a
//! local llama.cpp or Ollama server): `POST {endpoint}` with the chat completions body, the
//! template's reply in, a reworded one out. The model sees only the reply and its language;
//! what it answers is kept only when it still carries every fact of the template (numbers,
//! links, emails, order and tracking numbers), so it can reword but not change what is said.

use std::time::Duration;

use serde_json::json;

/// Why a phrasing was not used.
#[derive(Debug, thiserror::Error)]
pub enum PhrasingError {
    /// The server did not answer in time, or not at all.
    #[error("the language model did not answer: {0}")]
    Unreachable(String),
    /// It answered with something other than a chat completion.
    #[error("the language model's answer is not a chat completion: {0}")]
    Malformed(String),
    /// The rewording dropped a fact of the template, or grew out of bounds.
    #[error("the rewording lost a fact of the reply")]
    LostFact,
}

/// A client for one store's language model.
#[derive(Clone, Debug)]
pub struct Phraser {
    client: reqwest::Client,
}

impl Default for Phraser {
    fn default() -> Self {
        // Redirects are not followed: the shop named the one address replies may go to.
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap_or_default();
        Phraser { client }
    }
}

impl Phraser {
    /// `reply` reworded by `model` at `endpoint` in `language` (BCP 47), within `timeout`.
    pub async fn rephrase(
        &self,
        (endpoint, model): (&str, &str),
        language: &str,
        reply: &str,
        timeout: Duration,
    ) -> Result<String, PhrasingError> {
        let body = json!({
            "model": model,
            "temperature": 0.2,
            "messages": [
                {"role": "system", "content": format!(
                    "You reword a shop assistant's reply to a customer so it reads naturally and warmly, in the \
                     language {language}. Keep every fact exactly: numbers, dates, amounts, links, email addresses, \
                     order and tracking numbers. Add nothing, promise nothing, ask for no personal data. Answer \
                     with the reworded reply only.")},
                {"role": "user", "content": reply}
            ]
        });
        let response = self
            .client
            .post(endpoint)
            .json(&body)
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| PhrasingError::Unreachable(e.to_string()))?;
        if !response.status().is_success() {
            return Err(PhrasingError::Unreachable(format!("status {}", response.status())));
        }
        let answer: serde_json::Value = response.json().await.map_err(|e| PhrasingError::Malformed(e.to_string()))?;
        let phrased = answer["choices"][0]["message"]["content"]
            .as_str()
            .ok_or_else(|| PhrasingError::Malformed("no choices[0].message.content".to_owned()))?
            .trim();
        if keeps_facts(reply, phrased) { Ok(phrased.to_owned()) } else { Err(PhrasingError::LostFact) }
    }
}

/// True when `phrased` is a plausible rewording of `reply`: not empty, not more than three
/// times as long, and holding every word of `reply` that carries a fact (a digit, `@`, a link).
pub fn keeps_facts(reply: &str, phrased: &str) -> bool {
    // Compared word by word: "20" is not kept by "2026".
    fn words(text: &str) -> impl Iterator<Item = &str> {
        text.split(|c: char| c.is_whitespace() || ",;()\"“”„«»".contains(c))
            .map(|w| w.trim_end_matches(['.', ':', '!', '?']))
            .filter(|w| !w.is_empty())
    }
    let kept: std::collections::HashSet<&str> = words(phrased).collect();
    let mut facts =
        words(reply).filter(|w| w.chars().any(|c| c.is_ascii_digit()) || w.contains('@') || w.starts_with("http"));
    !phrased.is_empty()
        && phrased.chars().count() <= 3 * reply.chars().count().max(40)
        && facts.all(|fact| kept.contains(fact))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rewording_keeps_every_fact() {
        let reply = "Order NW-100 is on its way with DHL since 20 November 2026. Tracking number: JD0001.";
        assert!(keeps_facts(
            reply,
            "Good news! Your order NW-100 left with DHL on 20 November 2026 (tracking JD0001)."
        ));
        assert!(!keeps_facts(reply, "Your order is on its way with DHL."));
        assert!(!keeps_facts(reply, "Order NW-100 arrives on 21 November 2026, tracking JD0001."));
        assert!(!keeps_facts(reply, ""));
        assert!(!keeps_facts("Hi.", &"Hello there! ".repeat(30)));
    }
}
