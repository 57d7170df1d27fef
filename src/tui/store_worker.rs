//! The one thread that writes the session database. The wizard never commits on the UI
//! task: it queues a closure here, the closure commits and sends the result back as a
//! message, and only then does the screen show the change. Closures run in the order they
//! were queued, so two quick changes to one item land in order.

use std::sync::mpsc;
use std::thread::JoinHandle;

use crate::store::Store;

type StoreJob = Box<dyn FnOnce(&mut Store) + Send>;

/// Handle to the store thread.
pub struct StoreWorker {
    tx: Option<mpsc::Sender<StoreJob>>,
    thread: Option<JoinHandle<()>>,
}

impl StoreWorker {
    /// Moves the store onto its own thread.
    pub fn spawn(mut store: Store) -> StoreWorker {
        let (tx, rx) = mpsc::channel::<StoreJob>();
        let thread = std::thread::Builder::new()
            .name("store".into())
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    job(&mut store);
                }
            })
            .ok();
        StoreWorker {
            tx: Some(tx),
            thread,
        }
    }

    /// Queues a closure to run against the store.
    pub fn submit(&self, f: impl FnOnce(&mut Store) + Send + 'static) {
        if let Some(tx) = &self.tx
            && tx.send(Box::new(f)).is_err()
        {
            tracing::error!("the store thread has stopped; a change was not saved");
        }
    }

    /// Waits for every queued write to finish (on quit).
    pub fn finish(&mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for StoreWorker {
    fn drop(&mut self) {
        self.finish();
    }
}
