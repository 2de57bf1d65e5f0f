//! What `authbackup import` says about every entry of the export.

use std::fmt;

use authbackup_import::{EntryOutcome, ImportReport};

/// An [`ImportReport`] as text: one line per entry, then a summary line.
pub struct ImportText<'a>(pub &'a ImportReport);

impl fmt::Display for ImportText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (mut imported, mut merged, mut refused) = (0, 0, 0);
        for e in &self.0.entries {
            match &e.outcome {
                EntryOutcome::Imported { id } => {
                    imported += 1;
                    writeln!(f, "  imported      {} ({id})", e.label)?
                }
                EntryOutcome::Merged { into } => {
                    merged += 1;
                    writeln!(
                        f,
                        "  merged        {}: the same issuer and secret as {into}",
                        e.label
                    )?
                }
                EntryOutcome::NotImported { reason } => {
                    refused += 1;
                    writeln!(f, "  NOT IMPORTED  {}: {reason}", e.label)?
                }
            }
        }
        write!(f, "{} entries: {imported} imported, {merged} merged as duplicates, {refused} not imported", self.0.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use authbackup_import::{import, Source};

    #[test]
    fn import_report_reads_well() {
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../import/tests/fixtures/import/aegis-plain.json");
        let (_, report) = import(Source::Aegis, &std::fs::read(fixture).unwrap(), None).unwrap();
        insta::assert_snapshot!(ImportText(&report).to_string());
    }
}
