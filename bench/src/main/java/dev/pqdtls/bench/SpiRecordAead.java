package dev.pqdtls.bench;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.spi.BadRecordMacException;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.RecordProtection;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A pqdtls backend's {@link RecordProtection}, found with {@link ServiceLoader} by backend name as the
 * engine finds it. Batches go to the backend's own {@code sealBatch}/{@code openBatch} (one downcall
 * per batch on the native backend).
 */
final class SpiRecordAead implements RecordAead {
    private final String name;
    private final RecordProtection protection;
    private final boolean direct;

    private SpiRecordAead(String name, RecordProtection protection, boolean direct) {
        this.name = name;
        this.protection = protection;
        this.direct = direct;
    }

    /**
     * @param direct whether records live in direct buffers (the native backend's zero-copy path) or
     *     on the heap (the pure-Java backend's array path)
     * @throws IllegalStateException if the backend is absent or unusable here, saying why
     */
    static SpiRecordAead create(String backendName, boolean direct, CipherSuite suite, byte[] key, byte[] iv,
            byte[] recordNumberKey) {
        CryptoBackend backend = backend(backendName);
        return new SpiRecordAead(backendName, backend.recordProtection(suite, key, iv, recordNumberKey), direct);
    }

    static CryptoBackend backend(String backendName) {
        List<String> seen = new ArrayList<>();
        for (ServiceLoader.Provider<CryptoBackend> provider : ServiceLoader.load(CryptoBackend.class).stream().toList()) {
            CryptoBackend backend;
            try {
                backend = provider.get();
            } catch (Throwable e) {
                seen.add(provider.type().getName() + " (failed to load: " + e + ")");
                continue;
            }
            if (!backend.name().equals(backendName)) {
                seen.add(backend.name());
                continue;
            }
            backend.checkUsable().ifPresent(reason -> {
                throw new IllegalStateException("backend '" + backendName + "' is unusable here: " + reason);
            });
            return backend;
        }
        throw new IllegalStateException("backend '" + backendName + "' is not on the class path; found " + seen);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ByteBuffer allocate(int capacity) {
        return direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
    }

    @Override
    public void seal(long sequenceNumber, ByteBuffer aad, ByteBuffer record) {
        protection.seal(sequenceNumber, aad, record);
    }

    @Override
    public boolean open(long sequenceNumber, ByteBuffer aad, ByteBuffer record) {
        try {
            protection.open(sequenceNumber, aad, record);
            return true;
        } catch (BadRecordMacException e) {
            return false;
        }
    }

    @Override
    public void sealBatch(long[] sequenceNumbers, ByteBuffer[] aads, ByteBuffer[] records, int count) {
        protection.sealBatch(sequenceNumbers, aads, records, count);
    }

    @Override
    public int openBatch(long[] sequenceNumbers, ByteBuffer[] aads, ByteBuffer[] records, int count,
            boolean[] authentic) {
        return protection.openBatch(sequenceNumbers, aads, records, count, authentic);
    }

    @Override
    public void close() {
        protection.close();
    }
}
