//! The pilot screen's results: what comes back from the store thread and the CSV reader.

use super::*;

/// The pilot screen's results.
#[derive(Debug)]
pub enum PilotMsg {
    /// The pilot was read.
    Loaded {
        /// The pilot, or why not.
        result: Result<PilotData, String>,
    },
    /// A test result was saved: the saved cell alone (during a CSV import) or the pilot
    /// re-read with its evidence.
    ResultSaved {
        /// The pilot user.
        sip: String,
        /// The test case.
        case: PilotCase,
        /// The outcome recorded.
        outcome: PilotOutcome,
        /// What came back.
        after: Result<Result<After, PilotResultRecord>, String>,
    },
    /// One batch of a CSV import was committed.
    BatchAdded {
        /// What the batch did.
        added: Result<PilotAdded, String>,
        /// Users in the batch.
        n: usize,
        /// The users still to import.
        rest: std::vec::IntoIter<pilot::NewPilotUser>,
        /// The import's source label.
        source: String,
    },
    /// A CSV import ended (done or stopped); the pilot re-read.
    ImportFinished {
        /// The import's counts.
        imp: CsvImport,
        /// The pilot re-read with its evidence.
        after: After,
    },
    /// Users were added in one transaction.
    UsersAdded {
        /// What was added, and the pilot re-read.
        after: Result<(PilotAdded, After), String>,
        /// The CSV file, when they came from one.
        file: Option<String>,
        /// Names of the profile's users left out.
        left_out: String,
        /// How many were left out.
        left_out_count: usize,
    },
    /// A CSV file was read and parsed.
    CsvRead {
        /// The users, or the error naming file, line and column.
        read: Result<Vec<pilot::NewPilotUser>, String>,
        /// The file's name.
        name: String,
    },
}

impl PilotMsg {
    /// What the message is, for the debug log.
    pub fn describe(&self) -> String {
        match self {
            PilotMsg::Loaded { result } => format!("loaded: {}", result.is_ok()),
            PilotMsg::ResultSaved {
                sip,
                case,
                outcome,
                after,
            } => {
                format!(
                    "result saved {sip} {} {outcome:?}: {}",
                    case.id(),
                    after.is_ok()
                )
            }
            PilotMsg::BatchAdded { added, n, .. } => {
                format!("batch of {n} added: {}", added.is_ok())
            }
            PilotMsg::ImportFinished { imp, .. } => {
                format!("import finished: {}/{} users", imp.done, imp.total)
            }
            PilotMsg::UsersAdded { after, .. } => format!("users added: {}", after.is_ok()),
            PilotMsg::CsvRead { read, name } => format!(
                "csv {name} read: {}",
                read.as_ref()
                    .map_or_else(|e| e.clone(), |u| format!("{} users", u.len()))
            ),
        }
    }
}

impl PilotState {
    /// Applies one of the screen's results.
    pub(super) fn apply(&mut self, ctx: &mut Ctx, msg: PilotMsg) {
        match msg {
            PilotMsg::Loaded { result } => match result {
                Ok(data) => self.apply_data(data),
                Err(e) => {
                    self.load_error = Some(e.clone());
                    ctx.set_status(t!("status-pilot-load-failed", error = e), true);
                }
            },
            PilotMsg::ResultSaved {
                sip,
                case,
                outcome,
                after,
            } => {
                self.pending.remove(&(sip.clone(), case));
                match after {
                    Err(e) => ctx.set_status(t!("status-save-failed", error = e), true),
                    Ok(Err(rec)) => {
                        self.set_cell(rec);
                        ctx.set_status(
                            t!(
                                "status-pilot-saved",
                                user = sip.clone(),
                                case = case_title(case),
                                result = outcome_label(outcome)
                            ),
                            false,
                        );
                    }
                    Ok(Ok(after)) => {
                        let user = self
                            .data
                            .as_ref()
                            .and_then(|d| d.results.user(&sip))
                            .map_or_else(|| sip.clone(), |u| u.display_name.clone());
                        ctx.set_status(
                            t!(
                                "status-pilot-saved",
                                user = user,
                                case = case_title(case),
                                result = outcome_label(outcome)
                            ),
                            false,
                        );
                        self.apply_after(ctx, after);
                    }
                }
            }
            PilotMsg::BatchAdded {
                added,
                n,
                rest,
                source,
            } => match added {
                Err(e) => {
                    ctx.set_status(t!("status-save-failed", error = e), true);
                    if let Some(imp) = self.import.as_mut() {
                        imp.cancelled = true;
                    }
                    self.finish_import(ctx);
                }
                Ok(a) => {
                    if let Some(imp) = self.import.as_mut() {
                        imp.done += n;
                        imp.added += a.added.len();
                        imp.updated += a.updated.len();
                        imp.unchanged += a.unchanged;
                    }
                    self.next_batch(ctx, rest, source);
                }
            },
            PilotMsg::ImportFinished { imp, after } => {
                let status = if imp.done < imp.total {
                    t!(
                        "status-pilot-import-stopped",
                        file = imp.file.clone(),
                        done = imp.done,
                        total = imp.total
                    )
                } else {
                    t!(
                        "status-pilot-imported",
                        file = imp.file.clone(),
                        added = imp.added,
                        updated = imp.updated,
                        unchanged = imp.unchanged
                    )
                };
                let error = ctx.status.as_ref().is_some_and(|s| s.error);
                if !error {
                    ctx.set_status(status, false);
                }
                self.apply_after(ctx, after);
            }
            PilotMsg::UsersAdded {
                after,
                file,
                left_out,
                left_out_count,
            } => match after {
                Err(e) => ctx.set_status(t!("status-save-failed", error = e), true),
                Ok((a, after)) => {
                    let (added, updated, unchanged) = (a.added.len(), a.updated.len(), a.unchanged);
                    let status = match (&file, left_out_count) {
                        (Some(f), _) => t!(
                            "status-pilot-imported",
                            file = f.clone(),
                            added = added,
                            updated = updated,
                            unchanged = unchanged
                        ),
                        (None, 0) => t!(
                            "status-pilot-added",
                            added = added,
                            updated = updated,
                            unchanged = unchanged
                        ),
                        (None, n) => t!(
                            "status-pilot-added-left-out",
                            added = added,
                            updated = updated,
                            count = n,
                            names = left_out
                        ),
                    };
                    ctx.set_status(status, false);
                    self.apply_after(ctx, after);
                }
            },
            PilotMsg::CsvRead { read, name } => match read {
                Err(e) => {
                    ctx.set_status(t!("status-pilot-csv-failed", file = name), true);
                    ctx.message(t!("title-pilot-csv-failed"), e);
                }
                Ok(users) if users.is_empty() => {
                    ctx.set_status(t!("status-pilot-csv-empty", file = name), true);
                }
                Ok(_) if self.import.is_some() => {
                    ctx.set_status(t!("status-pilot-import-busy"), true);
                }
                Ok(users) if users.len() <= IMPORT_BATCH => {
                    let source = format!("csv:{name}");
                    self.add_users(ctx, users, source, Some(name), String::new(), 0);
                }
                Ok(users) => {
                    let source = format!("csv:{name}");
                    self.start_import(ctx, users, source, name);
                }
            },
        }
    }
}
