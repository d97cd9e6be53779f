package dev.pqdtls.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a server's time went, from its flight recording ({@code -XX:StartFlightRecording ... settings=profile}):
 * the execution samples taken inside the measured windows, counted by their top frame (the method on the CPU)
 * and by the first pqdtls frame from the top (the pqdtls code that ran it, whatever JDK or Bouncy Castle code it
 * called); and the samples of event-loop threads inside native code (FFM downcalls into libcrypto and the
 * socket calls, waiting in receive included), by the pqdtls frame that made the call.
 */
final class JfrSummary {
    static final int TOP = 12;
    private static final String PQDTLS = "dev.pqdtls.";

    /** A recording and the windows (start, end) measured while it ran. */
    record Recording(String name, Path file, List<Instant[]> windows) {
    }

    record Frame(String method, long samples) {
    }

    record Summary(String name, Path file, long javaSamples, List<Frame> topJava, List<Frame> topPqdtls,
            long nativeSamples, List<Frame> topNative, String problem) {
    }

    private JfrSummary() {
    }

    static List<Summary> summarise(List<Recording> recordings) {
        List<Summary> out = new ArrayList<>();
        for (Recording r : recordings) {
            try {
                out.add(summarise(r));
            } catch (IOException | RuntimeException e) {
                out.add(new Summary(r.name(), r.file(), 0, List.of(), List.of(), 0, List.of(), e.toString()));
            }
        }
        return out;
    }

    static Summary summarise(Recording r) throws IOException {
        if (!Files.isReadable(r.file())) {
            throw new IOException("no recording at " + r.file());
        }
        Map<String, Long> top = new HashMap<>();
        Map<String, Long> pqdtls = new HashMap<>();
        Map<String, Long> nat = new HashMap<>();
        long java = 0;
        long inNative = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(r.file())) {
            String type = e.getEventType().getName();
            boolean execution = type.equals("jdk.ExecutionSample");
            if (!(execution || type.equals("jdk.NativeMethodSample")) || !inWindow(e.getStartTime(), r.windows())) {
                continue;
            }
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) {
                continue;
            }
            List<RecordedFrame> frames = st.getFrames();
            if (!execution && !eventLoop(e)) {
                continue; // threads waiting in native code outside the event loops (stdin, the acceptor's poll)
            }
            if (execution) {
                java++;
                top.merge(name(frames.get(0)), 1L, Long::sum);
                frames.stream().filter(f -> f.getMethod().getType().getName().startsWith(PQDTLS)).findFirst()
                        .ifPresent(f -> pqdtls.merge(name(f), 1L, Long::sum));
            } else {
                inNative++;
                nat.merge(frames.stream().filter(f -> f.getMethod().getType().getName().startsWith(PQDTLS)).findFirst()
                        .map(JfrSummary::name).orElse(name(frames.get(0))), 1L, Long::sum);
            }
        }
        return new Summary(r.name(), r.file(), java, top(top), top(pqdtls), inNative, top(nat), null);
    }

    private static boolean inWindow(Instant t, List<Instant[]> windows) {
        for (Instant[] w : windows) {
            if (!t.isBefore(w[0]) && !t.isAfter(w[1])) {
                return true;
            }
        }
        return false;
    }

    /** Whether the sample is of an event-loop thread ("pqdtls-server-PORT-N"). */
    private static boolean eventLoop(RecordedEvent e) {
        RecordedThread t = e.getThread("sampledThread");
        return t != null && t.getJavaName() != null && t.getJavaName().startsWith("pqdtls-");
    }

    /** "EvpSignature.sign": the class's simple name and the method; generated method-handle classes as one name. */
    static String name(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        String simple = type.substring(type.lastIndexOf('.') + 1);
        return simple.startsWith("0x") ? "(method handle or downcall stub)" : simple + "." + f.getMethod().getName();
    }

    private static List<Frame> top(Map<String, Long> counts) {
        return counts.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(TOP)
                .map(e -> new Frame(e.getKey(), e.getValue())).toList();
    }

    static String markdown(List<Summary> summaries) {
        StringBuilder sb = new StringBuilder("## Profiles (JFR, inside the measured windows)\n\n");
        sb.append("Execution samples (Java code on a CPU) by top frame and by the first pqdtls frame from the top; "
                + "native samples (event-loop threads inside a downcall or a socket call; a loop waiting for "
                + "datagrams shows as its receive call) by the pqdtls frame that made the call. JIT and GC threads are "
                + "not sampled; libcrypto's own frames are not visible.\n");
        for (Summary s : summaries) {
            sb.append("\n### ").append(s.name()).append("\n\n");
            if (s.problem() != null) {
                sb.append("No summary: ").append(s.problem()).append('\n');
                continue;
            }
            sb.append("`").append(s.file().getFileName()).append("`: ").append(s.javaSamples())
                    .append(" execution samples, ").append(s.nativeSamples()).append(" native samples.\n\n");
            List<String[]> cells = new ArrayList<>();
            cells.add(new String[] {"#", "top frame", "%", "first pqdtls frame", "%", "native, called from", "%"});
            for (int i = 0; i < TOP; i++) {
                cells.add(new String[] {Integer.toString(i + 1), method(s.topJava(), i), share(s.topJava(), i, s.javaSamples()),
                    method(s.topPqdtls(), i), share(s.topPqdtls(), i, s.javaSamples()), method(s.topNative(), i),
                    share(s.topNative(), i, s.nativeSamples())});
            }
            sb.append(Tables.markdown(cells, "rlrlrlr"));
        }
        return sb.toString();
    }

    private static String method(List<Frame> frames, int i) {
        return i < frames.size() ? "`" + frames.get(i).method() + "`" : "";
    }

    private static String share(List<Frame> frames, int i, long total) {
        return i < frames.size() && total > 0 ? String.format(Locale.ROOT, "%.1f", 100.0 * frames.get(i).samples() / total) : "";
    }

    /** Prints the summary of one recording over its whole length: {@code JfrSummary FILE.jfr}. */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        Instant[] all = {Instant.MIN, Instant.MAX};
        System.out.print(markdown(List.of(summarise(new Recording(file.getFileName().toString(), file,
                List.<Instant[]>of(all))))));
    }
}
