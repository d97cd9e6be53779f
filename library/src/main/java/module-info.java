/**
 * The {@code dev.pqdtls:pqdtls} artifact: the pqdtls API ({@code dev.pqdtls}) and every crypto
 * backend. Applications write {@code requires dev.pqdtls;}; the backends need no {@code requires}:
 * they provide {@code dev.pqdtls.spi.CryptoBackend}, which {@code dev.pqdtls} uses, so service
 * binding adds them to the module graph (for jlink: {@code --bind-services}). This descriptor only
 * keeps the artifact's jar an explicit module.
 */
module dev.pqdtls.bundle {
    requires transitive dev.pqdtls;
}
