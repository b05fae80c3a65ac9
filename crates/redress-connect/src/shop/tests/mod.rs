//! Tests of the shop connections against the local fakes over real HTTP (port 0, no sleeps),
//! and property tests of the parsers: they answer, never panic.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use redress_domain::StoreId;
use uuid::Uuid;

mod fuzz;
mod shopify;
mod woocommerce;

/// Fresh, predictable ids.
pub(super) fn ids() -> impl FnMut() -> Uuid + Send {
    let mut n = 0u128;
    move || {
        n += 1;
        Uuid::from_u128(n)
    }
}

pub(super) fn store() -> StoreId {
    StoreId::from_uuid(Uuid::from_u128(0xabc))
}

/// What a webhook receiver saw: each delivery's id, whether it was new, and the status it
/// answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Seen {
    pub delivery_id: String,
    pub topic: String,
    pub first_time: bool,
}

type Check = dyn Fn(&HeaderMap, &[u8]) -> Result<(String, String), StatusCode> + Send + Sync;

#[derive(Clone)]
struct Receiver {
    check: Arc<Check>,
    delivered: Arc<Mutex<HashSet<String>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    match (receiver.check)(&headers, &body) {
        Err(status) => status,
        Ok((delivery_id, topic)) => {
            // The de-duplication the application layer will do, on the exposed delivery id.
            let first_time = receiver.delivered.lock().unwrap().insert(delivery_id.clone());
            receiver.seen.lock().unwrap().push(Seen { delivery_id, topic, first_time });
            StatusCode::OK
        }
    }
}

/// A webhook endpoint on port 0 that runs `check` on each delivery; returns its URL and what
/// it saw.
pub(super) async fn receiver(
    check: impl Fn(&HeaderMap, &[u8]) -> Result<(String, String), StatusCode> + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let state = Receiver { check: Arc::new(check), delivered: Arc::default(), seen: seen.clone() };
    let app = axum::Router::new().route("/hook", post(receive)).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}
