// The 1-Wire bus and DS18B20 model: Espruino's OneWire API, search, scratchpad, timing.
import { describe, expect, it } from "vitest";
import { dallasCrc } from "../../../sim/devices/checksums";
import { SimDs18b20, makeRom } from "../../../sim/devices/ds18b20";
import { SimOneWire, romString } from "../../../sim/devices/onewire-bus";
import { VirtualClock } from "../../../sim/virtual-clock";

function rig(seeds: number[], options: { parasite?: boolean } = {}) {
  const clock = new VirtualClock();
  const bus = new SimOneWire({ clock });
  const devices = seeds.map((seed) => bus.attach(new SimDs18b20({ clock, seed, parasite: options.parasite })));
  return { clock, bus, devices };
}

function scratchpad(bus: SimOneWire, rom: string): number[] {
  bus.select(rom);
  bus.write(0xbe);
  return Array.from(bus.read(9) as Uint8Array);
}

describe("SimOneWire + SimDs18b20", () => {
  it("ROM codes: family 0x28, Dallas CRC in byte 7, written byte 0 first like Espruino", () => {
    const rom = makeRom(3);
    expect(rom[0]).toBe(0x28);
    expect(dallasCrc(rom)).toBe(0);
    expect(romString(rom)).toMatch(/^28[0-9a-f]{14}$/);
  });

  it("search finds every device, including ROMs that differ in one bit only", () => {
    const { bus, devices, clock } = rig([1, 2, 3, 4, 5, 6, 7]);
    const twin = makeRom(1);
    twin[6] ^= 0x80;
    twin[7] = dallasCrc(twin.subarray(0, 7));
    const extra = bus.attach(new SimDs18b20({ clock, seed: 1 }));
    (extra as unknown as { rom: Uint8Array }).rom.set(twin);
    const found = bus.search();
    expect(found.sort()).toEqual([...devices, extra].map((d) => d.romCode).sort());
  });

  it("reset reports presence; no devices: no presence, empty search", () => {
    expect(rig([1]).bus.reset()).toBe(true);
    const empty = rig([]);
    expect(empty.bus.reset()).toBe(false);
    expect(empty.bus.search()).toEqual([]);
  });

  it("READ SCRATCHPAD after power-up: +85 degC, EEPROM defaults, valid CRC (Figure 7)", () => {
    const { bus, devices } = rig([1, 2]);
    const pad = scratchpad(bus, devices[1]!.romCode);
    expect(pad.slice(0, 8)).toEqual([0x50, 0x05, 0x4b, 0x46, 0x7f, 0xff, 0x0c, 0x10]);
    expect(dallasCrc(pad)).toBe(0);
  });

  it("CONVERT T: read slots 0 while converting, 1 when done; time by resolution (Table 2)", () => {
    for (const [config, max] of [[0x1f, 93.75], [0x3f, 187.5], [0x5f, 375], [0x7f, 750]] as const) {
      const { bus, devices, clock } = rig([9]);
      const rom = devices[0]!.romCode;
      bus.select(rom);
      bus.write([0x4e, 0, 0, config]);
      devices[0]!.setPhysical({ temperature: -10.1 });
      bus.select(rom);
      bus.write(0x44);
      expect(bus.read()).toBe(0x00);
      clock.advance(max * 0.85 - 0.01);
      expect(bus.read()).toBe(0x00);
      clock.advance(0.01);
      expect(bus.read()).toBe(0xff);
      const pad = scratchpad(bus, rom);
      const raw = (((pad[1]! << 8) | pad[0]!) << 16) >> 16;
      const step = 1 << (3 - ((config >> 5) & 3));
      expect(Math.abs(raw % step)).toBe(0);
      expect(Math.abs(raw / 16 + 10.1)).toBeLessThanOrEqual(step / 32);
    }
  });

  it("MATCH ROM addresses one device: the others stay quiet; SKIP ROM reaches all", () => {
    const { bus, devices, clock } = rig([1, 2]);
    devices[0]!.setPhysical({ temperature: 10 });
    devices[1]!.setPhysical({ temperature: 20 });
    bus.reset();
    bus.skip();
    bus.write(0x44);
    clock.advance(1000);
    expect(scratchpad(bus, devices[0]!.romCode).slice(0, 2)).toEqual([0xa0, 0x00]);
    expect(scratchpad(bus, devices[1]!.romCode).slice(0, 2)).toEqual([0x40, 0x01]);
    bus.select(devices[0]!.romCode);
    bus.write(0x44);
    expect(devices[0]!.writes.filter((w) => w === "convert T")).toHaveLength(2);
    expect(devices[1]!.writes.filter((w) => w === "convert T")).toHaveLength(1);
  });

  it("WRITE SCRATCHPAD keeps the fixed configuration bits; COPY and RECALL E2; power-up reloads EEPROM", () => {
    const { bus, devices } = rig([4]);
    const rom = devices[0]!.romCode;
    bus.select(rom);
    bus.write([0x4e, 0x20, 0x10, 0xff]);
    expect(scratchpad(bus, rom).slice(2, 5)).toEqual([0x20, 0x10, 0x7f]);
    bus.select(rom);
    bus.write([0x4e, 0x21, 0x11, 0x00]);
    expect(scratchpad(bus, rom)[4]).toBe(0x1f);
    bus.select(rom);
    bus.write(0x48); // copy to EEPROM
    devices[0]!.setFault("gone", true);
    devices[0]!.setFault("gone", false);
    expect(scratchpad(bus, rom).slice(2, 5)).toEqual([0x21, 0x11, 0x1f]);
  });

  it("parasite power: READ POWER SUPPLY reads 0; no strong pull-up during CONVERT T browns the part out", () => {
    const { bus, devices, clock } = rig([5], { parasite: true });
    const rom = devices[0]!.romCode;
    bus.select(rom);
    bus.write(0xb4);
    expect(bus.read()).toBe(0x00);
    devices[0]!.setPhysical({ temperature: 30 });
    bus.select(rom);
    bus.write(0x44, false);
    clock.advance(800);
    expect(scratchpad(bus, rom).slice(0, 2)).toEqual([0x50, 0x05]);
    bus.select(rom);
    bus.write(0x44, true);
    clock.advance(800);
    expect(scratchpad(bus, rom).slice(0, 2)).toEqual([0xe0, 0x01]);
  });

  it("a stuck line: reset sees 'presence', every read is 0, search finds nothing", () => {
    const { bus, devices } = rig([1]);
    bus.inject("stuck");
    expect(bus.reset()).toBe(true);
    expect(scratchpad(bus, devices[0]!.romCode)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(bus.search()).toEqual([]);
  });

  it("alarm search (0xEC) finds only devices outside [TL, TH]; unknown commands are reported", () => {
    const { bus, devices, clock } = rig([1, 2]);
    devices.forEach((d, i) => d.setPhysical({ temperature: i === 0 ? 20 : 80 }));
    bus.reset();
    bus.skip();
    bus.write([0x4e, 50, 0, 0x7f]); // TH 50 degC, TL 0 degC on both
    bus.reset();
    bus.skip();
    bus.write(0x44);
    clock.advance(1000);
    expect(bus.search(0xec)).toEqual([devices[1]!.romCode]);
    bus.select(devices[0]!.romCode);
    bus.write(0x99);
    expect(devices[0]!.rejected).toEqual(["ds18b20: function command 0x99"]);
  });

  it("select() validates the ROM string as Espruino does", () => {
    expect(() => rig([1]).bus.select("28ff")).toThrow(/Invalid OneWire device address/);
  });
});
