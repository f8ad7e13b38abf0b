//! The `policykb` command line: `init`, `new`, `build`, `check`, `serve`, `pdf`, `verify`,
//! `theme eject`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use policykb::{build, pdf, scaffold, serve, BuildFailure, BuildOptions};

/// See Cargo.toml: faster than the system's allocator at the many small strings of a build.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// No transparent huge pages for this process, on kernels that give them to every large
/// mapping (`always`) too: mimalloc's `no_thp` (Cargo.toml) only stops it asking for them,
/// which is enough under `madvise`. Best effort: a kernel without the setting keeps its own.
fn small_pages_only() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

#[derive(Parser)]
#[command(
    name = "policykb",
    version,
    about = "Builds an offline, searchable knowledge-base website from Markdown"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new knowledge base (config, kind folders, one example page per kind); it uses
    /// the built-in theme.
    Init {
        /// Folder to create; must not exist or be empty.
        dir: PathBuf,
    },
    /// Start a page: `policykb new case 某地-双清单` writes content/cases/某地-双清单.md with
    /// every field of the kind, placeholders 【待填写：…】 in the required ones.
    New {
        /// The kind: its slug (case), folder (cases) or name (典型案例) from site.yaml.
        kind: String,
        /// The file name without .md, also the last part of the page's address.
        slug: String,
        /// The page's title (default: a placeholder).
        #[arg(long)]
        title: Option<String>,
        /// Knowledge-base root: the folder holding content/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// The theme: `policykb theme eject [NAME…]` copies the built-in one for customising.
    Theme {
        #[command(subcommand)]
        command: ThemeCommand,
    },
    /// Build the site into the output folder (default: public/).
    Build {
        /// Knowledge-base root: the folder holding content/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder; replaced atomically when the build succeeds.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Print the time each pipeline stage took.
        #[arg(long)]
        timings: bool,
    },
    /// Build, serve on http://127.0.0.1:PORT, and rebuild and reload the browser on every save.
    Serve {
        /// Knowledge-base root: the folder holding content/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Port; default: the first free one from 1111 (0: any free port).
        #[arg(long)]
        port: Option<u16>,
        /// Address to listen on; only change it to share the preview on purpose.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
    },
    /// Build the site and print every course handout and print.html to PDF with Chromium/Chrome.
    Pdf {
        /// Knowledge-base root: the folder holding content/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder; the PDFs are written next to their HTML (courses/x/handout.pdf).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// The browser to print with; default: chromium, google-chrome … on the PATH.
        #[arg(long)]
        browser: Option<PathBuf>,
    },
    /// Check a built, copied or deployed site against the manifest its build wrote.
    Verify {
        /// The site folder (e.g. public/, a web server's folder, a USB stick).
        dir: PathBuf,
        /// Also fail when the folder holds files the build did not write.
        #[arg(long)]
        strict: bool,
    },
    /// Check everything a build checks, without writing anything.
    Check {
        /// Knowledge-base root: the folder holding content/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Print the time each pipeline stage took.
        #[arg(long)]
        timings: bool,
    },
}

#[derive(Subcommand)]
enum ThemeCommand {
    /// Copy the built-in theme's files (all, or the NAMEs: page.html, style.css,
    /// strings.yaml …) into templates/ and static/; copies no longer follow upgrades.
    Eject {
        /// Files to copy; none: all of them.
        names: Vec<String>,
        /// Knowledge-base root: the folder holding content/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

fn main() -> ExitCode {
    small_pages_only();
    let cli = Cli::parse();
    match cli.command {
        Command::Init { dir } => match scaffold::init(&dir) {
            Ok(()) => {
                println!("created a knowledge base in {}", dir.display());
                println!("next: cd {} && policykb build", dir.display());
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        },
        Command::New {
            kind,
            slug,
            title,
            root,
        } => {
            let request = scaffold::NewPage {
                root: &root,
                kind: &kind,
                slug: &slug,
                title: title.as_deref(),
            };
            match scaffold::new_page(&request) {
                Ok(path) => {
                    println!("created {}", path.display());
                    println!("next: fill in every 【待填写：…】, then `policykb check`");
                    ExitCode::SUCCESS
                }
                Err(error) => failed(&error, error.hint()),
            }
        }
        Command::Theme {
            command: ThemeCommand::Eject { names, root },
        } => {
            match scaffold::eject(&root, &names) {
                Ok(written) => {
                    for path in &written {
                        println!("copied {}", path.display());
                    }
                    println!(
                    "{} now yours: {} the built-in theme and no longer change when policykb is \
                     upgraded; delete a copy to go back to the built-in version",
                    match written.len() {
                        1 => "this file is".to_string(),
                        n => format!("these {n} files are"),
                    },
                    if written.len() == 1 { "it overrides" } else { "they override" },
                );
                    ExitCode::SUCCESS
                }
                Err(error) => failed(&error, error.hint()),
            }
        }
        Command::Build {
            root,
            output,
            timings,
        } => {
            let output = output.unwrap_or_else(|| root.join("public"));
            let done = format!("built into {}", output.display());
            run(
                BuildOptions {
                    root,
                    output: Some(output),
                    pdf_browser: None,
                },
                &done,
                timings,
            )
        }
        Command::Serve { root, port, bind } => {
            match serve::serve(serve::ServeOptions { root, bind, port }) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Pdf {
            root,
            output,
            browser,
        } => {
            let browser = match pdf::find_browser(browser.as_deref()) {
                Ok(browser) => browser,
                Err(error) => {
                    eprintln!("error: {error}");
                    return ExitCode::FAILURE;
                }
            };
            let output = output.unwrap_or_else(|| root.join("public"));
            let done = format!("built with PDFs into {}", output.display());
            run(
                BuildOptions {
                    root,
                    output: Some(output),
                    pdf_browser: Some(browser),
                },
                &done,
                false,
            )
        }
        Command::Verify { dir, strict } => verify(&dir, strict),
        Command::Check { root, timings } => run(
            BuildOptions {
                root,
                output: None,
                pdf_browser: None,
            },
            "checked",
            timings,
        ),
    }
}

/// `policykb verify`: a line per problem, then a summary; fails when a file of the build
/// is missing or changed (with `--strict`, also when there are others).
fn verify(dir: &std::path::Path, strict: bool) -> ExitCode {
    let found = match policykb::output::verify::verify(dir) {
        Ok(found) => found,
        Err(error) => return failed(&error, None),
    };
    for path in &found.changed {
        println!("changed: {path}");
    }
    for path in &found.missing {
        println!("missing: {path}");
    }
    for path in &found.unlisted {
        println!("not from this build: {path}");
    }
    let intact = found.is_intact() && (!strict || found.unlisted.is_empty());
    let verdict = if intact { "verified" } else { "verify failed" };
    println!(
        "{verdict}: {}: {} files of the build, {} changed, {} missing; {} other entries{}",
        dir.display(),
        found.listed,
        found.changed.len(),
        found.missing.len(),
        found.unlisted.len(),
        if found.unlisted.is_empty() || strict {
            ""
        } else {
            " (not an error without --strict: e.g. a server's own .htaccess)"
        }
    );
    if intact {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Prints an error of a command that writes one thing, with its hint.
fn failed(error: &dyn std::fmt::Display, hint: Option<String>) -> ExitCode {
    eprintln!("error: {error}");
    if let Some(hint) = hint {
        eprintln!("  hint: {hint}");
    }
    ExitCode::FAILURE
}

fn run(options: BuildOptions, done: &str, timings: bool) -> ExitCode {
    eprintln!("building {} …", options.root.join("content").display());
    match build(&options) {
        Ok(report) => {
            for warning in &report.warnings {
                eprintln!("{warning}");
            }
            if timings {
                let mib = |bytes: Option<u64>| {
                    bytes.map_or("".into(), |b| format!("{:>7.0} MiB", b as f64 / 1048576.0))
                };
                eprintln!(
                    "  {:<7} {:>11} {:>11} {:>11}",
                    "stage", "wall", "memory", "peak"
                );
                for stage in &report.stages {
                    eprintln!(
                        "  {:<7} {:>8.1} ms {} {}",
                        stage.name,
                        stage.time.as_secs_f64() * 1000.0,
                        mib(stage.resident),
                        mib(stage.peak)
                    );
                }
            }
            println!("{done}: {}", report.summary());
            ExitCode::SUCCESS
        }
        Err(failure) => {
            report_failure(&failure);
            ExitCode::FAILURE
        }
    }
}

fn report_failure(failure: &BuildFailure) {
    for diagnostic in &failure.diagnostics {
        eprintln!("{diagnostic}");
    }
    let errors = failure.error_count();
    eprintln!(
        "build failed: {errors} error{}, {} warning{}; nothing was written",
        if errors == 1 { "" } else { "s" },
        failure.diagnostics.len() - errors,
        if failure.diagnostics.len() - errors == 1 {
            ""
        } else {
            "s"
        },
    );
}
