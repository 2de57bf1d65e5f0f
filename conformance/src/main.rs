//! The `authbackup-conformance` command.
#![forbid(unsafe_code)]

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use authbackup_conformance::{
    adapter, bad, bench, coverage, difffuzz, fuzzing, generate, model, process, reference, report,
    runner, spec,
};
use clap::{Parser, Subcommand, ValueEnum};

/// The conformance suite of the Authenticator Backup Format.
#[derive(Parser)]
#[command(name = "authbackup-conformance", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
    Junit,
}

#[derive(Clone, Copy, ValueEnum)]
enum LevelArg {
    Rfc,
    Policy,
}

impl From<LevelArg> for model::Level {
    fn from(l: LevelArg) -> model::Level {
        match l {
            LevelArg::Rfc => model::Level::Rfc,
            LevelArg::Policy => model::Level::Policy,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the vectors against the reference (in process) or an adapter (--impl-cmd).
    Run {
        /// Start this command and speak the stdio adapter protocol with it (via `sh -c`).
        #[arg(long, value_name = "CMD")]
        impl_cmd: Option<String>,
        /// Per-request time limit for the adapter, in milliseconds.
        #[arg(long, default_value_t = 5000, value_name = "MS")]
        timeout_ms: u64,
        /// Run only this profile (section); repeatable.
        #[arg(long, value_parser = model::SECTIONS)]
        profile: Vec<String>,
        /// Run only cases whose id (section/tcId) matches this glob; repeatable.
        #[arg(long, value_name = "GLOB")]
        run: Vec<String>,
        /// Leave out cases whose id matches this glob; repeatable.
        #[arg(long, value_name = "GLOB")]
        skip: Vec<String>,
        /// Run only cases of this level: `rfc` (what the RFCs require; any error code passes
        /// a refusal) or `policy` (this format's own rules); repeatable; both by default.
        #[arg(long, value_enum)]
        level: Vec<LevelArg>,
        /// A JSON object mapping case-id globs to the reason they are known to fail.
        #[arg(long, value_name = "FILE")]
        expect_failures: Option<PathBuf>,
        /// Report format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Write the report here instead of stdout.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Read the vector files of this folder instead of the built-in ones.
        #[arg(long, value_name = "DIR")]
        vectors: Option<PathBuf>,
    },
    /// List the sections (profiles), their operations and case counts.
    List {
        /// Read the vector files of this folder instead of the built-in ones.
        #[arg(long, value_name = "DIR")]
        vectors: Option<PathBuf>,
    },
    /// Check that every MUST of the spec is covered by a case.
    Coverage {
        /// Read the vector files of this folder instead of the built-in ones.
        #[arg(long, value_name = "DIR")]
        vectors: Option<PathBuf>,
        /// Read the spec's Markdown files from this folder instead of the built-in ones.
        #[arg(long, value_name = "DIR")]
        spec: Option<PathBuf>,
    },
    /// Write the vector files from the generator (or, with --check, compare them).
    Generate {
        /// Fail if a checked-in file differs from what the generator writes.
        #[arg(long)]
        check: bool,
        /// The vector folder to write or check (default: `conformance/vectors` of the source
        /// tree this command was built from).
        #[arg(long, value_name = "DIR")]
        vectors: Option<PathBuf>,
    },
    /// Speak the stdio adapter protocol on stdin/stdout with the reference implementation.
    Adapter,
    /// Differential fuzzing: random structured inputs to the adapter and to the reference;
    /// every disagreement is printed as a vector ready to add.
    Fuzz {
        /// Start this command and speak the stdio adapter protocol with it (via `sh -c`).
        #[arg(long, value_name = "CMD")]
        impl_cmd: String,
        /// How long to fuzz, in seconds.
        #[arg(long, default_value_t = 60, value_name = "S")]
        time: u64,
        /// The generator's seed: the same seed draws the same inputs.
        #[arg(long, default_value_t = 1, value_name = "N")]
        seed: u64,
        /// Fuzz only this profile; repeatable.
        #[arg(long, value_parser = difffuzz::PROFILES)]
        profile: Vec<String>,
        /// Stop after this many distinct disagreements.
        #[arg(long, default_value_t = 10, value_name = "N")]
        max_findings: usize,
        /// Per-request time limit for the adapter, in milliseconds.
        #[arg(long, default_value_t = 5000, value_name = "MS")]
        timeout_ms: u64,
        /// Draw no input whose operation, feature (t0, hotp, window, digits7, sha512,
        /// uri_emit) or policy tag (SecretLength, TimeRange, BeforeT0, WindowLimit,
        /// AlgorithmName, DigitsRange, ZeroPeriod) matches this glob; repeatable.
        #[arg(long, value_name = "GLOB")]
        skip: Vec<String>,
        /// Known disagreements: a JSON object of glob to reason, the globs matching a finding's
        /// kind (operation/expected/got, such as `totp.verify/ok/error:*`) or one of its tags.
        #[arg(long, value_name = "FILE")]
        expect_failures: Option<PathBuf>,
    },
    /// Code-generation throughput of an adapter beside the reference adapter's, every code
    /// checked.
    Bench {
        /// Start this command and speak the stdio adapter protocol with it (via `sh -c`).
        #[arg(long, value_name = "CMD")]
        impl_cmd: String,
        /// SHA1, SHA256 or SHA512 [default: all three].
        #[arg(long, value_parser = ["SHA1", "SHA256", "SHA512"])]
        algorithm: Option<String>,
        /// Accounts per batch.
        #[arg(long, default_value_t = 1000, value_name = "N")]
        accounts: usize,
        /// Seconds to measure each figure.
        #[arg(long, default_value_t = 2.0, value_name = "S")]
        seconds: f64,
    },
    /// Write the fuzz targets' seed corpora (from the vectors) into DIR/<target>/.
    FuzzSeeds {
        /// The corpus folder (fuzz/corpus).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Read the vector files of this folder instead of the built-in ones.
        #[arg(long, value_name = "DIR")]
        vectors: Option<PathBuf>,
    },
    /// Run every known-bad implementation; each must fail at least one case.
    SelfTest {
        /// Read the vector files of this folder instead of the built-in ones.
        #[arg(long, value_name = "DIR")]
        vectors: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The cases of the vector files in `dir`, or of the built-in ones.
fn load(dir: Option<PathBuf>) -> Result<Vec<model::Case>, String> {
    Ok(model::cases(&model::load_or_embedded(dir.as_deref())?))
}

/// Prints `text` and flushes standard output, so a pipe sees it at once.
fn print_now(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Reads an expected-failures file (`known.rs` has its format).
fn read_expected_failures(
    path: Option<&std::path::Path>,
) -> Result<runner::ExpectedFailures, String> {
    let Some(path) = path else {
        return Ok(Default::default());
    };
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    runner::parse_expected_failures(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn run(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Run {
            impl_cmd,
            timeout_ms,
            profile,
            run,
            skip,
            level,
            expect_failures,
            format,
            output,
            vectors,
        } => {
            let cases = load(vectors)?;
            let selection = runner::Selection {
                profiles: profile,
                run,
                skip,
                levels: level.into_iter().map(Into::into).collect(),
            };
            let listed = read_expected_failures(expect_failures.as_deref())?;
            let selected: Vec<&str> = cases
                .iter()
                .filter(|c| selection.includes(c))
                .map(|c| c.section.as_str())
                .collect();
            let total = selected.len() as u64;
            if total == 0 {
                return Err(
                    "no case matches the selection (--profile, --run, --skip, --level)".into(),
                );
            }
            let bar = indicatif::ProgressBar::new(total);
            if !std::io::stderr().is_terminal() {
                bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
            }
            // The human report goes out as the cases run, so a piped run shows each failure
            // and each profile's line at once.
            let streaming = matches!(format, Format::Human) && output.is_none();
            let mut stream = report::Stream::new(selected);
            let mut progress = |r: &runner::CaseResult| {
                bar.set_message(r.id.clone());
                bar.inc(1);
                let text = stream.on_case(r);
                if streaming && !text.is_empty() {
                    bar.suspend(|| print_now(&text));
                }
            };
            let result = match impl_cmd {
                Some(cmd) => {
                    let mut adapter =
                        process::Process::new(&cmd, Duration::from_millis(timeout_ms));
                    runner::run(&mut adapter, &cases, &selection, &listed, &mut progress)
                }
                None => runner::run(
                    &mut reference::Reference,
                    &cases,
                    &selection,
                    &listed,
                    &mut progress,
                ),
            };
            bar.finish_and_clear();
            let text = match format {
                Format::Human if streaming => report::closing(&result),
                Format::Human => report::human(&result),
                Format::Json => report::json(&result),
                Format::Junit => report::junit(&result),
            };
            match output {
                Some(path) => {
                    std::fs::write(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
                    println!(
                        "{}",
                        report::closing(&result).lines().last().unwrap_or_default()
                    );
                }
                None => println!("{text}"),
            }
            Ok(if result.success() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::List { vectors } => {
            let files = model::load_or_embedded(vectors.as_deref())?;
            for f in &files {
                let cases = model::cases(std::slice::from_ref(f));
                let ops: std::collections::BTreeSet<&str> =
                    cases.iter().map(|c| c.operation.as_str()).collect();
                let rfc = cases
                    .iter()
                    .filter(|c| c.case.level == model::Level::Rfc)
                    .count();
                println!(
                    "{:<10} {:>4} cases ({rfc:>3} rfc, {:>3} policy)  {}",
                    f.section,
                    f.number_of_tests,
                    cases.len() - rfc,
                    ops.into_iter().collect::<Vec<_>>().join(", ")
                );
            }
            println!(
                "{} cases in all",
                files.iter().map(|f| f.number_of_tests).sum::<usize>()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Coverage { vectors, spec: dir } => {
            let cases = load(vectors)?;
            let requirements = match dir {
                Some(dir) => spec::requirements(&dir)?,
                None => spec::embedded_requirements()?,
            };
            let cov = coverage::compute(&requirements, &cases);
            println!("{}", coverage::human(&cov));
            Ok(if cov.complete() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Generate { check, vectors } => {
            let dir = vectors.unwrap_or_else(model::source_dir);
            if check {
                let differing = generate::check(&dir);
                if differing.is_empty() {
                    println!("every vector file matches the generator");
                    return Ok(ExitCode::SUCCESS);
                }
                eprintln!("these files differ from what the generator writes (run `authbackup-conformance generate`): {}", differing.join(", "));
                return Ok(ExitCode::FAILURE);
            }
            generate::write(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            println!(
                "wrote {} vector files to {}",
                model::SECTIONS.len(),
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Adapter => {
            let stdin = std::io::stdin();
            adapter::serve(
                &mut reference::Reference,
                stdin.lock(),
                std::io::stdout().lock(),
            )
            .map_err(|e| e.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Fuzz {
            impl_cmd,
            time,
            seed,
            profile,
            max_findings,
            timeout_ms,
            skip,
            expect_failures,
        } => {
            let mut adapter = process::Process::new(&impl_cmd, Duration::from_millis(timeout_ms));
            let config = difffuzz::FuzzConfig {
                seed,
                time: Duration::from_secs(time),
                profiles: profile,
                max_findings,
                skip,
                expected: read_expected_failures(expect_failures.as_deref())?,
            };
            let r = difffuzz::fuzz(&mut adapter, &config);
            let vectors = difffuzz::vectors(&r.findings, seed, &load(None)?);
            for (f, vector) in r.findings.iter().zip(&vectors) {
                println!(
                    "DISAGREEMENT {} ({} inputs; tags: {}): reference {:?}, implementation {:?}",
                    f.kind(),
                    f.repeats,
                    f.tags.join(", "),
                    f.expected,
                    f.got
                );
                println!(
                    "{}",
                    serde_json::to_string_pretty(vector).unwrap_or_default()
                );
            }
            for (f, reason) in &r.listed {
                println!("listed: {} ({} inputs): {reason}", f.kind(), f.repeats);
            }
            for (need, n) in &r.skipped {
                println!("skipped, unsupported: {need} ({n} inputs)");
            }
            println!(
                "{} inputs, {} disagreements (seed {seed})",
                r.iterations,
                r.findings.len()
            );
            Ok(if r.findings.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Bench {
            impl_cmd,
            algorithm,
            accounts,
            seconds,
        } => {
            let own = std::env::current_exe().map_err(|e| e.to_string())?;
            let reference_cmd = format!("'{}' adapter", own.display());
            use authbackup::otp::Algorithm;
            let algorithms: Vec<Algorithm> = match algorithm {
                Some(name) => vec![name.parse().map_err(|e: authbackup::Error| e.to_string())?],
                None => vec![Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512],
            };
            let correct = bench::compare(
                &impl_cmd,
                &reference_cmd,
                &algorithms,
                accounts,
                seconds,
                &mut |line| print_now(&format!("{line}\n")),
            )?;
            Ok(if correct {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::FuzzSeeds { out, vectors } => {
            let seeds = fuzzing::seeds(&load(vectors)?);
            for (target, bytes) in &seeds {
                let dir = out.join(target);
                std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                let name = data_encoding::HEXLOWER
                    .encode(&<sha2::Sha256 as sha2::Digest>::digest(bytes)[..16]);
                std::fs::write(dir.join(name), bytes)
                    .map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            println!("wrote {} seeds to {}", seeds.len(), out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::SelfTest { vectors } => {
            let cases = load(vectors)?;
            let mut all_caught = true;
            for mut m in bad::mutants() {
                let r = runner::run(
                    &mut m,
                    &cases,
                    &Default::default(),
                    &Default::default(),
                    &mut |_| {},
                );
                let caught = r.summary.failed > 0;
                all_caught &= caught;
                println!(
                    "{} {:<30} {} failing cases — {}",
                    if caught { "caught " } else { "MISSED " },
                    m.name,
                    r.summary.failed,
                    m.bug
                );
            }
            Ok(if all_caught {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}
