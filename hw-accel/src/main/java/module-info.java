/** pqdtls capability probe: CPU features, backends and why they load or not, indicative AEAD speed. */
module dev.pqdtls.hw {
    requires dev.pqdtls;
    requires com.fasterxml.jackson.databind;

    exports dev.pqdtls.hw;
    // Jackson reads the report records reflectively.
    opens dev.pqdtls.hw to com.fasterxml.jackson.databind;
}
