// The Wifi module: joining, events, IP, RSSI, SNTP with each board's argument rules, drops.
import { describe, expect, it } from "vitest";
import { lines, virtualBoard } from "./helpers";

describe("Wifi", () => {
  it("connects with events and callback, then has an IP and an RSSI", () => {
    const { board, clock } = virtualBoard(`
      var wifi = require("Wifi");
      print("before", JSON.stringify(wifi.getIP()), wifi.getStatus().station);
      wifi.on("associated", function (d) { print("associated", d.ssid, d.channel); });
      wifi.on("connected", function (d) { print("connected", d.ip, d.netmask, d.gw); });
      wifi.connect("greenhouse-iot", { password: "secret" }, function (err) {
        var details = wifi.getDetails();
        print("callback", err, wifi.getStatus().station, wifi.getIP().ip, details.rssi < -40 && details.rssi > -80);
      });
    `);
    board.start();
    clock.advance(5000);
    const out = lines(board);
    expect(out[0]).toMatch(/^before \{"mac":"24:0a:c4:[0-9a-f:]{8}"\} off$/);
    expect(out[1]).toBe("associated greenhouse-iot 6");
    expect(out[2]).toMatch(/^connected 192\.168\.4\.\d+ 255\.255\.255\.0 192\.168\.4\.1$/);
    expect(out[3]).toMatch(/^callback null connected 192\.168\.4\.\d+ true$/);
  });

  it('reports "Bad password" when the access point has another one', () => {
    const { board, clock } = virtualBoard(`require("Wifi").connect("ap", { password: "wrong" }, function (err) { print("err", err, require("Wifi").getDetails().status); });`, { wifi: { password: "right" } });
    board.start();
    clock.advance(5000);
    expect(lines(board)).toEqual(["err Bad password wrong_password"]);
  });

  it("a dropped access point fires 'disconnected', and the station rejoins by itself", () => {
    const { board, clock } = virtualBoard(`
      var wifi = require("Wifi");
      wifi.on("connected", function () { print("connected at", Math.round(getTime())); });
      wifi.on("disconnected", function (d) { print("disconnected", d.reason); });
      wifi.connect("ap", {}, function () {});
    `);
    board.start();
    clock.advance(5000);
    board.wifiNetwork.drop();
    clock.advance(10_000);
    board.wifiNetwork.restore();
    clock.advance(10_000);
    const out = lines(board);
    expect(out[0]).toBe("connected at 1");
    expect(out[1]).toBe("disconnected beacon_timeout");
    expect(out[2]).toMatch(/^connected at (1[6-9]|2\d)$/);
    expect(out).toHaveLength(3);
  });

  it("setSNTP: ESP32 wants a TZ string, ESP8266 an hour offset in -11..13; then getTime() is wall-clock time", () => {
    const epoch = Date.UTC(2026, 5, 1, 12, 0, 0);
    const esp32 = virtualBoard(
      `
      var wifi = require("Wifi");
      try { wifi.setSNTP("pool.ntp.org", 2); } catch (e) { print(e.message); }
      wifi.connect("ap", {}, function () { wifi.setSNTP("pool.ntp.org", "UTC0"); });
      setTimeout(function () { print(new Date(getTime() * 1000).toISOString()); }, 10000);
    `,
      { epoch },
    );
    esp32.board.start();
    esp32.clock.advance(10_000);
    expect(lines(esp32.board)).toEqual(["Zone is not a string", "2026-06-01T12:00:10.000Z"]);

    const esp8266 = virtualBoard(
      `
      var wifi = require("Wifi");
      try { wifi.setSNTP("pool.ntp.org", "UTC0"); } catch (e) { print(e.message); }
      try { wifi.setSNTP("pool.ntp.org", 14); } catch (e) { print(e.message); }
      wifi.connect("ap", {}, function () { wifi.setSNTP("pool.ntp.org", 2); });
      setTimeout(function () { print(new Date(getTime() * 1000).toISOString()); }, 10000);
    `,
      { epoch, kind: "ESP8266" },
    );
    esp8266.board.start();
    esp8266.clock.advance(10_000);
    // the ESP8266 SDK reports local time: the zone's hours are added
    expect(lines(esp8266.board)).toEqual(["Zone is not a number", "Zone must be in range -11..13", "2026-06-01T14:00:10.000Z"]);
  });

  it("LINUX boards have no Wifi module", () => {
    const { board } = virtualBoard(`try { require("Wifi"); } catch (e) { print(e.message); }`, { kind: "LINUX" });
    board.start();
    expect(lines(board)).toEqual(['Module "Wifi" not found']);
  });
});
