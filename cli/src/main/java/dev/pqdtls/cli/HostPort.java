package dev.pqdtls.cli;

/** {@code HOST:PORT} as written on the command line: a name, an IPv4 literal or a bracketed IPv6 literal. */
record HostPort(String host, int port) {
    /**
     * Parses {@code localhost:4433}, {@code 192.0.2.1:4433} or {@code [::1]:4433}.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static HostPort parse(String text) {
        String s = text.trim();
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("'" + text + "' is not HOST:PORT (IPv6 is written [::1]:4433)");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || s.indexOf(':') != colon) {
                throw new IllegalArgumentException("'" + text + "' is not HOST:PORT, e.g. 127.0.0.1:4433"
                        + (colon > 0 ? " (IPv6 is written [::1]:4433)" : ""));
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 1 || p > 65_535 || host.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT with a port 1..65535");
        }
        return new HostPort(host, p);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
