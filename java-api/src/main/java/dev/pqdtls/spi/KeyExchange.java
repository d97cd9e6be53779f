package dev.pqdtls.spi;

import dev.pqdtls.NamedGroup;

/**
 * Ephemeral key exchange for one named group, in the client/server shape TLS 1.3 uses for both ECDH
 * and KEMs: the client offers a share, the server answers with its own share (or KEM ciphertext) and
 * both arrive at the same shared secret.
 */
public interface KeyExchange {

    NamedGroup group();

    /** Client side: a fresh ephemeral key whose public share goes into the ClientHello. */
    ClientKeyShare newClientShare();

    /**
     * Server side: answers the client's share with a server share and the shared secret.
     *
     * @throws InvalidKeyShareException if the client's share is malformed or of the wrong length
     */
    ServerKeyShare respond(byte[] clientShare) throws InvalidKeyShareException;

    /** The client's pending ephemeral key. {@link #close()} wipes it. */
    interface ClientKeyShare extends AutoCloseable {
        /** The key_exchange bytes for the ClientHello ({@link NamedGroup#clientShareLength()} long). */
        byte[] publicShare();

        /**
         * Completes the exchange with the server's share and returns the shared secret. Single use:
         * the ephemeral key is wiped afterwards.
         *
         * @throws InvalidKeyShareException if the server's share is malformed
         */
        byte[] finish(byte[] serverShare) throws InvalidKeyShareException;

        @Override
        void close();
    }

    /** The server's answer: its key_exchange bytes and the shared secret. */
    record ServerKeyShare(byte[] publicShare, byte[] sharedSecret) {
    }
}
