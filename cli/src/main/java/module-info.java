/** The pqdtls command-line tool. Backends arrive on the runtime class path or module path. */
module dev.pqdtls.cli {
    requires dev.pqdtls;
    requires dev.pqdtls.hw;
    requires info.picocli;

    // picocli instantiates the commands and injects their options reflectively.
    opens dev.pqdtls.cli to info.picocli;
}
