package dev.agentwire.core.terminals;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link Screen} shows after ordinary program output: text and line ends, overwrites, wrapping, scrolling,
 * cursor moves and erases, colours (not text), the alternate screen, and what it reports (title, bell, answers
 * to the program's queries). {@code ScreenSkipTest} covers skipping floods.
 */
class ScreenTest {

    private final List<String> titles = new CopyOnWriteArrayList<>();
    private final List<String> answers = new CopyOnWriteArrayList<>();
    private final List<String> bells = new CopyOnWriteArrayList<>();
    private Screen screen;

    @AfterEach
    void close() {
        if (screen != null) {
            screen.close();
        }
    }

    private Screen screen(int cols, int rows) {
        screen = new Screen(cols, rows, new Screen.Events() {
            @Override
            public void title(String title) {
                titles.add(title);
            }

            @Override
            public void bell() {
                bells.add("bell");
            }

            @Override
            public void answer(String text) {
                answers.add(text);
            }
        });
        screen.start();
        return screen;
    }

    /** Feeds {@code output} and returns the lines once it is all drawn. */
    private List<String> show(String output) throws InterruptedException {
        screen.feed(output);
        screen.settle(10_000);
        return screen.lines();
    }

    @Test
    void linesAndTheCursorAreWhatAPersonWouldSee() throws Exception {
        screen(20, 4);

        assertThat(show("hello\r\nworld")).containsExactly("hello", "world", "", "");
        assertThat(screen.cursor()).containsExactly(5, 1);
    }

    @Test
    void aCarriageReturnOverwritesAndEraseLineClearsTheRest() throws Exception {
        screen(20, 2);

        assertThat(show("progress  10%\rprogress  99%")).startsWith("progress  99%");
        assertThat(show("\r\u001b[Kdone")).startsWith("done");
    }

    @Test
    void coloursAndStylesAreNotText() throws Exception {
        screen(30, 2);

        assertThat(show("\u001b[1;31mred\u001b[0m and \u001b[4mplain\u001b[24m"))
                .startsWith("red and plain");
    }

    @Test
    void aLongLineWrapsAtTheWidthAndOldLinesScrollOff() throws Exception {
        screen(10, 3);

        assertThat(show("abcdefghijKLM")).containsExactly("abcdefghij", "KLM", "");
        assertThat(show("\r\n1\r\n2\r\n3")).containsExactly("1", "2", "3");
    }

    @Test
    void cursorMovesAndClearingTheScreenPlaceText() throws Exception {
        screen(10, 4);
        show("junk\r\nmore junk");

        assertThat(show("\u001b[2J\u001b[3;4Hx\u001b[1;1Hy")).containsExactly("y", "", "   x", "");
        assertThat(screen.cursor()).containsExactly(1, 0);
    }

    @Test
    void theAlternateScreenComesAndGoesLeavingTheMainOneAsItWas() throws Exception {
        screen(20, 3);
        show("main text");

        assertThat(show("\u001b[?1049h\u001b[H\u001b[2Jfull screen app")).startsWith("full screen app");
        assertThat(show("\u001b[?1049l")).startsWith("main text");
    }

    @Test
    void theTitleAndTheBellAreReported() throws Exception {
        screen(20, 2);

        show("\u001b]0;my title\u0007text\u0007");

        assertThat(titles).containsExactly("my title");
        assertThat(bells).hasSize(1);
        assertThat(screen.lines()).startsWith("text");
    }

    @Test
    void aCursorPositionQueryIsAnsweredWhereTheCursorIs() throws Exception {
        screen(20, 5);

        show("\u001b[2;7H\u001b[6n");

        assertThat(answers).containsExactly("\u001b[2;7R");
    }

    @Test
    void aResizeChangesTheLinesAndKeepsTheText() throws Exception {
        screen(20, 3);
        show("kept");

        screen.resize(30, 5);

        assertThat(show("")).hasSize(5).startsWith("kept");
        assertThat(show("\r\n" + "w".repeat(25))).element(1).isEqualTo("w".repeat(25));
    }
}
