//! The `store` operations of the reference: its directory store run over [`TraceFs`], so
//! that what it writes can be reported operation by operation (`store.write`) and what it
//! offers from damaged generations observed (`store.newest_good`).

use authbackup::store::{Store, StoreError};
use authbackup::Error;
use serde_json::{json, Value};

use super::trace_fs::{relative, TraceFs, ROOT};
use super::{device_accounts, field, lifecycle_machine, text, uint};

fn store_error(e: StoreError) -> Error {
    match e {
        StoreError::Abf(e) => e,
        other => Error::malformed(format!("the store failed: {other}")),
    }
}

/// A store over a fresh [`TraceFs`], keeping `keep` generations (all when `None`).
fn open(keep: Option<u64>) -> Result<(Store<TraceFs>, TraceFs), Error> {
    let fs = TraceFs::default();
    let keep = keep.map_or(usize::MAX, |k| usize::try_from(k).unwrap_or(usize::MAX));
    let store = Store::open(ROOT, fs.clone())
        .map_err(store_error)?
        .with_keep(keep);
    Ok((store, fs))
}

/// `store.write`: the file operations of writing `old` into an empty store (the setup), then
/// of replacing it with `new`.
pub fn write(input: &Value) -> Result<Value, Error> {
    let keep = match input.get("keep") {
        None => None,
        Some(_) => Some(uint(input, "keep")?),
    };
    let (store, fs) = open(keep)?;
    let present = |name: &str| input.get(name).filter(|v| !v.is_null());
    let (target, setup) = match text(input, "file")? {
        "backup" => {
            let account = text(input, "storage_account")?;
            let generation = uint(input, "generation")?;
            for earlier in present("earlier")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                store
                    .write_backup(
                        account,
                        uint(earlier, "generation")?,
                        text(earlier, "container")?.as_bytes(),
                    )
                    .map_err(store_error)?;
            }
            if present("old").is_some() {
                store
                    .write_backup(account, generation, text(input, "old")?.as_bytes())
                    .map_err(store_error)?;
            }
            let setup = fs.take_ops();
            store
                .write_backup(account, generation, text(input, "new")?.as_bytes())
                .map_err(store_error)?;
            (
                store
                    .backup_path(account, generation)
                    .map_err(store_error)?,
                setup,
            )
        }
        "device" => {
            if present("old").is_some() {
                store
                    .write_device(&device_accounts(input, "old")?)
                    .map_err(store_error)?;
            }
            let setup = fs.take_ops();
            store
                .write_device(&device_accounts(input, "new")?)
                .map_err(store_error)?;
            (store.device_path(), setup)
        }
        "lifecycle" => {
            if let Some(events) = present("old") {
                let (machine, _) = lifecycle_machine(events, true)?;
                store.write_machine(&machine).map_err(store_error)?;
            }
            let setup = fs.take_ops();
            let (machine, _) = lifecycle_machine(field(input, "new")?, true)?;
            store.write_machine(&machine).map_err(store_error)?;
            (store.state_path(), setup)
        }
        other => {
            return Err(Error::invalid_parameter(format!(
                "file {other:?} is not backup, device or lifecycle"
            )))
        }
    };
    Ok(json!({ "target": relative(&target), "setup": setup, "ops": fs.take_ops() }))
}

/// `store.newest_good`: the generation a reader offers from the given files of one storage
/// account, and the newer ones it skips (REQ-STORE-005).
pub fn newest_good(input: &Value) -> Result<Value, Error> {
    let (store, _) = open(None)?;
    let account = text(input, "storage_account")?;
    let files = field(input, "generations")?
        .as_array()
        .ok_or_else(|| Error::malformed("\"generations\" must be an array"))?;
    for f in files {
        store
            .write_backup(
                account,
                uint(f, "generation")?,
                text(f, "container")?.as_bytes(),
            )
            .map_err(store_error)?;
    }
    let newest = store.newest_good(account).map_err(store_error)?;
    Ok(json!({
        "generation": newest.offered.map(|g| g.generation),
        "skipped": newest.skipped.iter().map(|s| s.generation).collect::<Vec<_>>(),
    }))
}
