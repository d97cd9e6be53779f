package dev.pqdtls.nativeabi;

/**
 * Socket and batch settings of a native UDP engine (either backend's); the defaults suit 1200-byte
 * DTLS datagrams.
 */
public final class UdpEngineOptions {
    private int receiveBufferSize;
    private int sendBufferSize;
    private boolean reusePort;
    private boolean gro;
    private boolean gso = true;
    private int maxBatch = 64;
    private int maxDatagramSize = 2048;

    /** SO_RCVBUF in bytes; 0 keeps the system default. */
    public UdpEngineOptions receiveBufferSize(int bytes) {
        this.receiveBufferSize = requireNonNegative(bytes);
        return this;
    }

    /** SO_SNDBUF in bytes; 0 keeps the system default. */
    public UdpEngineOptions sendBufferSize(int bytes) {
        this.sendBufferSize = requireNonNegative(bytes);
        return this;
    }

    public UdpEngineOptions reusePort(boolean on) {
        this.reusePort = on;
        return this;
    }

    /** Ask for UDP_GRO on receive (ignored when the kernel lacks it; see {@link #groEnabled()}). */
    public UdpEngineOptions gro(boolean on) {
        this.gro = on;
        return this;
    }

    /** Send eligible batches with UDP_SEGMENT when the kernel has it (default on). */
    public UdpEngineOptions gso(boolean on) {
        this.gso = on;
        return this;
    }

    /** Datagrams per send syscall and receive slots per batch (1..1024, default 64). */
    public UdpEngineOptions maxBatch(int datagrams) {
        if (datagrams < 1 || datagrams > 1024) {
            throw new IllegalArgumentException("maxBatch must be 1..1024, got " + datagrams);
        }
        this.maxBatch = datagrams;
        return this;
    }

    /** Receive slot size without GRO; longer datagrams are cut and flagged (default 2048). */
    public UdpEngineOptions maxDatagramSize(int bytes) {
        if (bytes < 1 || bytes > 65535) {
            throw new IllegalArgumentException("maxDatagramSize must be 1..65535, got " + bytes);
        }
        this.maxDatagramSize = bytes;
        return this;
    }

    private static int requireNonNegative(int v) {
        if (v < 0) {
            throw new IllegalArgumentException("negative size " + v);
        }
        return v;
    }

    public int receiveBufferSize() {
        return receiveBufferSize;
    }

    public int sendBufferSize() {
        return sendBufferSize;
    }

    public boolean reusePort() {
        return reusePort;
    }

    public boolean gro() {
        return gro;
    }

    public boolean gso() {
        return gso;
    }

    public int maxBatch() {
        return maxBatch;
    }

    public int maxDatagramSize() {
        return maxDatagramSize;
    }

    /**
     * How the receive arena is cut: with GRO, a quarter as many 64 KB slots, each splitting into up
     * to 64 descriptors; without, one slot of {@link #maxDatagramSize()} per datagram.
     */
    public ReceiveGeometry receiveGeometry(boolean groEnabled) {
        if (groEnabled) {
            int slots = Math.max(1, maxBatch / 4);
            return new ReceiveGeometry(slots, UdpAbi.GRO_SLOT, slots * UdpAbi.GRO_MAX_SEGMENTS);
        }
        return new ReceiveGeometry(maxBatch, maxDatagramSize, maxBatch);
    }

    /** Receive slots, bytes per slot and descriptors of one receive batch. */
    public record ReceiveGeometry(int slots, int slotLength, int maxDescriptors) {
    }
}
