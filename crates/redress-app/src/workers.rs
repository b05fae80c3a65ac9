//! Which background workers this process runs, so its readiness can say when one stopped (a
//! panic, or a loop that returned): a server whose workers died must not be sent traffic as if
//! it were whole. Readiness is per process, so this is kept in the process.

use std::sync::Mutex;

use tokio::task::AbortHandle;

/// The workers a process started, by name.
#[derive(Debug, Default)]
pub struct Workers(Mutex<Vec<(&'static str, AbortHandle)>>);

impl Workers {
    /// Watches a worker from now on.
    pub fn watch(&self, name: &'static str, handle: AbortHandle) {
        if let Ok(mut workers) = self.0.lock() {
            workers.push((name, handle));
        }
    }

    /// The names of the workers that stopped, in the order they were started.
    pub fn stopped(&self) -> Vec<&'static str> {
        self.0.lock().map_or_else(
            |_| vec!["workers"],
            |workers| workers.iter().filter(|(_, handle)| handle.is_finished()).map(|(name, _)| *name).collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_worker_that_ended_is_named() {
        let workers = Workers::default();
        let running = tokio::spawn(std::future::pending::<()>());
        let ended = tokio::spawn(async {});
        workers.watch("running", running.abort_handle());
        workers.watch("ended", ended.abort_handle());
        let _ = ended.await;
        assert_eq!(workers.stopped(), vec!["ended"]);
        running.abort();
    }
}
