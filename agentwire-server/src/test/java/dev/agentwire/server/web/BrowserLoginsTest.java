package dev.agentwire.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** One-time codes and browser sessions on a fake clock. */
class BrowserLoginsTest {

    private final AtomicLong now = new AtomicLong(42);
    private final BrowserLogins logins = new BrowserLogins(now::get, Duration.ofHours(12));

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void aCodeIsTradedOnceForASession() {
        BrowserLogins.Code code = logins.issue("/terminals");
        assertThat(code.code()).matches("[A-Za-z0-9_-]{43}");
        assertThat(code.page()).isEqualTo("/terminals");
        BrowserLogins.Redeemed first = logins.redeem(code.code());
        assertThat(first).isInstanceOf(BrowserLogins.Session.class);
        String cookie = ((BrowserLogins.Session) first).cookie();
        assertThat(cookie).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(code.code());
        assertThat(((BrowserLogins.Session) first).maxAge()).isEqualTo(Duration.ofHours(12));
        assertThat(logins.isSession(cookie)).isTrue();
        assertThat(logins.redeem(code.code())).isEqualTo(new BrowserLogins.Refused(BrowserLogins.Reason.USED));
        assertThat(logins.redeem("made-up")).isEqualTo(new BrowserLogins.Refused(BrowserLogins.Reason.UNKNOWN));
        assertThat(logins.isSession(code.code())).as("a code is not a cookie").isFalse();
    }

    @Test
    void codesAndSessionsExpire() {
        BrowserLogins.Code late = logins.issue("/terminals");
        advance(BrowserLogins.CODE_TTL);
        assertThat(logins.redeem(late.code())).isEqualTo(new BrowserLogins.Refused(BrowserLogins.Reason.EXPIRED));

        BrowserLogins.Code code = logins.issue("/terminals");
        advance(BrowserLogins.CODE_TTL.minusSeconds(1));
        String cookie = ((BrowserLogins.Session) logins.redeem(code.code())).cookie();
        advance(Duration.ofHours(12).minusNanos(1));
        assertThat(logins.isSession(cookie)).isTrue();
        advance(Duration.ofNanos(1));
        assertThat(logins.isSession(cookie)).isFalse();
    }

    @Test
    void secretsAreNotRepeatedAndKeptWithinBounds() {
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < BrowserLogins.MAX_CODES + 50; i++) {
            assertThat(seen.add(logins.issue("/terminals").code())).isTrue();
            advance(Duration.ofMillis(1));
        }
        String newest = logins.issue("/terminals").code();
        assertThat(logins.redeem(newest)).isInstanceOf(BrowserLogins.Session.class);
        assertThat(seen.stream()
                        .limit(50)
                        .map(logins::redeem)
                        .filter(r -> r instanceof BrowserLogins.Session)
                        .count())
                .as("the oldest codes made room")
                .isZero();
    }

    @Test
    void aSessionMustLastSomeTime() {
        assertThatThrownBy(() -> new BrowserLogins(now::get, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(BrowserLogins.CODE_TTL.toNanos()))
                .isEqualTo(120);
    }
}
