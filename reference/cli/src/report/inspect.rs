//! What `authbackup backup inspect` shows of a container's headers.

use std::fmt;

use authbackup::container::ContainerInfo;

/// A [`ContainerInfo`] as text, one header per line.
pub struct InspectText<'a>(pub &'a ContainerInfo);

impl fmt::Display for InspectText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "format version:     {}", self.0.format_version)?;
        writeln!(f, "platform:           {}", self.0.meta.platform())?;
        writeln!(f, "backup id:          {}", self.0.meta.backup_id())?;
        writeln!(f, "generation:         {}", self.0.meta.generation())?;
        writeln!(f, "created (unix):     {}", self.0.meta.created())?;
        writeln!(f, "content encryption: {}", self.0.enc)?;
        writeln!(f, "size:               {} bytes", self.0.size)?;
        write!(f, "recipients:         {}", self.0.recipients.len())?;
        for r in &self.0.recipients {
            write!(f, "\n  - {} kid {}", r.alg.name(), r.kid)?;
            if let Some(p2c) = r.p2c {
                write!(f, " (p2c {p2c})")?;
            }
        }
        Ok(())
    }
}
