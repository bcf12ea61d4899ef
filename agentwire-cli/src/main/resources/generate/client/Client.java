// A minimal agentwire client in Java (17+): connect to the hub's Unix socket, say hub/hello, send one
// request, print the answer. Run: java Client.java [METHOD] [PARAMS-JSON]. The socket:
// $AGENTWIRE_HOME/hub.sock, else ~/.agentwire/hub.sock.
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

public class Client {
    public static void main(String[] args) throws IOException {
        String method = args.length > 0 ? args[0] : "hub/ping";
        String params = args.length > 1 ? args[1] : "{}";
        String home = System.getenv("AGENTWIRE_HOME");
        Path socket = home != null ? Path.of(home, "hub.sock") : Path.of(System.getProperty("user.home"), ".agentwire", "hub.sock");
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            System.err.println("cannot connect to " + socket + ": " + e.getMessage() + " (is the hub running? aw hub)");
            System.exit(3);
        }
        String requests = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/hello\",\"params\":{\"name\":\"java-client\"}}\n"
                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"" + method + "\",\"params\":" + params + "}\n";
        ch.write(ByteBuffer.wrap(requests.getBytes(StandardCharsets.UTF_8)));
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
        String hello = in.readLine();
        if (hello == null || hello.contains("\"error\"")) {
            System.err.println("hub/hello failed: " + hello);
            System.exit(4);
        }
        String answer = in.readLine();
        if (answer == null) {
            System.err.println("the hub closed the connection");
            System.exit(1);
        }
        System.out.println(answer);
        ch.close();
        System.exit(answer.contains("\"error\"") ? 1 : 0);
    }
}
