module example {
    requires dev.pqdtls;
}
