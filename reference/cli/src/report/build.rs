//! What `authbackup backup create` says it kept of every device account.

use std::fmt;

use authbackup::account::{BuildOutcome, BuildReport};

/// A [`BuildReport`] as text: one line per account, then a summary line.
pub struct BuildText<'a>(pub &'a BuildReport);

impl fmt::Display for BuildText<'_> {
    /// One line per account, then a summary line; for people, not for parsing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.0.entries {
            let what = match e.outcome {
                BuildOutcome::WithCodes => "backed up with codes",
                BuildOutcome::Placeholder => "placeholder: sign-in needed after restore",
                BuildOutcome::ExcludedByPolicy => "LEFT OUT: excluded by organisation policy",
            };
            write!(
                f,
                "{:<18} {} ({}): {what}",
                e.account_type.as_str(),
                e.display_name,
                e.id
            )?;
            if !e.dropped.is_empty() {
                write!(f, "; not backed up: {}", e.dropped.join(", "))?;
            }
            writeln!(f)?;
        }
        write!(
            f,
            "{} accounts: {} with codes, {} placeholders, {} left out",
            self.0.entries.len(),
            self.0.count(&BuildOutcome::WithCodes),
            self.0.count(&BuildOutcome::Placeholder),
            self.0.count(&BuildOutcome::ExcludedByPolicy)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use authbackup::account::{build_backup_accounts, DeviceAccount};

    #[test]
    fn build_report_reads_well() {
        let device = DeviceAccount::list_from_json(
            br#"{"accounts": [
            {"id": "gh", "type": "totp", "issuer": "GitHub", "name": "gh@example.com", "secret": "JBSWY3DPEHPK3PXP"},
            {"id": "outlook", "type": "msa_passwordless", "issuer": "Contoso", "name": "outlook@example.com", "secret": "JBSWY3DPEHPK3PXP", "token": "eyJ0eXAi"},
            {"id": "work", "type": "work_school", "issuer": "Contoso", "name": "work@example.com", "secret": "JBSWY3DPEHPK3PXP", "token": "eyJ0eXAi"},
            {"id": "vpn", "type": "totp", "issuer": "Contoso", "name": "vpn@example.com", "secret": "JBSWY3DPEHPK3PXP", "excluded_by_policy": true}
        ]}"#,
        )
        .unwrap();
        let (_, report) = build_backup_accounts(&device).unwrap();
        insta::assert_snapshot!(BuildText(&report).to_string());
    }
}
