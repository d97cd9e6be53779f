package dev.pqdtls.spi;

import dev.pqdtls.NamedGroup;
import java.util.Arrays;

/**
 * A hybrid group built from two component exchanges whose shares and shared secrets are simply
 * concatenated, first component first (draft-ietf-tls-ecdhe-mlkem §3): ML-KEM-768 then X25519 for
 * X25519MLKEM768, secp256r1 then ML-KEM-768 for SecP256r1MLKEM768.
 */
public final class HybridKeyExchange implements KeyExchange {
    private final NamedGroup group;
    private final KeyExchange first;
    private final KeyExchange second;

    /**
     * @param kemFirst documents the order for the reader; the order itself is that of the arguments
     */
    public HybridKeyExchange(NamedGroup group, KeyExchange first, KeyExchange second, boolean kemFirst) {
        if (kemFirst != (first.group() == NamedGroup.MLKEM768)) {
            throw new IllegalArgumentException("component order does not match kemFirst=" + kemFirst);
        }
        if (first.group().clientShareLength() + second.group().clientShareLength() != group.clientShareLength()) {
            throw new IllegalArgumentException(first.group() + " + " + second.group() + " do not make " + group);
        }
        this.group = group;
        this.first = first;
        this.second = second;
    }

    @Override
    public NamedGroup group() {
        return group;
    }

    @Override
    public ClientKeyShare newClientShare() {
        ClientKeyShare a = first.newClientShare();
        ClientKeyShare b;
        try {
            b = second.newClientShare();
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
        return new HybridClientShare(a, b);
    }

    @Override
    public ServerKeyShare respond(byte[] clientShare) throws InvalidKeyShareException {
        checkLength("client share", clientShare, group.clientShareLength());
        int split = first.group().clientShareLength();
        ServerKeyShare a = first.respond(Arrays.copyOfRange(clientShare, 0, split));
        ServerKeyShare b;
        try {
            b = second.respond(Arrays.copyOfRange(clientShare, split, clientShare.length));
        } catch (InvalidKeyShareException | RuntimeException e) {
            Arrays.fill(a.sharedSecret(), (byte) 0);
            throw e;
        }
        byte[] secret = concat(a.sharedSecret(), b.sharedSecret());
        Arrays.fill(a.sharedSecret(), (byte) 0);
        Arrays.fill(b.sharedSecret(), (byte) 0);
        return new ServerKeyShare(concat(a.publicShare(), b.publicShare()), secret);
    }

    private void checkLength(String what, byte[] value, int expected) throws InvalidKeyShareException {
        if (value.length != expected) {
            throw new InvalidKeyShareException(group + " " + what + " is " + value.length
                    + " bytes; expected " + expected);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private final class HybridClientShare implements ClientKeyShare {
        private final ClientKeyShare a;
        private final ClientKeyShare b;

        HybridClientShare(ClientKeyShare a, ClientKeyShare b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public byte[] publicShare() {
            return concat(a.publicShare(), b.publicShare());
        }

        @Override
        public byte[] finish(byte[] serverShare) throws InvalidKeyShareException {
            try {
                checkLength("server share", serverShare, group.serverShareLength());
                int split = first.group().serverShareLength();
                byte[] sa = a.finish(Arrays.copyOfRange(serverShare, 0, split));
                byte[] sb;
                try {
                    sb = b.finish(Arrays.copyOfRange(serverShare, split, serverShare.length));
                } catch (InvalidKeyShareException | RuntimeException e) {
                    Arrays.fill(sa, (byte) 0);
                    throw e;
                }
                byte[] secret = concat(sa, sb);
                Arrays.fill(sa, (byte) 0);
                Arrays.fill(sb, (byte) 0);
                return secret;
            } finally {
                close();
            }
        }

        @Override
        public void close() {
            try {
                a.close();
            } finally {
                b.close();
            }
        }
    }
}
