fn main() -> std::process::ExitCode {
    pchat_migrate::cli::main()
}
