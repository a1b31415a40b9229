fn main() -> std::process::ExitCode {
    gazette::cli::main()
}
