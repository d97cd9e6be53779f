/** The pqdtls command-line tool. Backends arrive on the runtime class path or module path. */
module dev.pqdtls.cli {
    requires dev.pqdtls;
    requires dev.pqdtls.hw;
    requires info.picocli;
    // The SLF4J backend of the CLI (slf4j-jdk14): Main formats its lines, --audit-log routes the audit log.
    requires java.logging;

    // picocli instantiates the commands and injects their options reflectively.
    opens dev.pqdtls.cli to info.picocli;
}
