package io.freshet.analytics.browser;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;

/** Debian's Chromium and its driver (installed by ./freshet test), headless, in a window of the README's size. */
public final class HeadlessChromium {

    private HeadlessChromium() {
    }

    public static ChromeDriver start() {
        return new ChromeDriver(
                new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver")).build(),
                new ChromeOptions().setBinary("/usr/bin/chromium")
                        .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,860",
                                "--hide-scrollbars")); // a page 1280 wide, in screenshots too
    }
}
