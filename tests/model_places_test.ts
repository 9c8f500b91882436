import assert from "node:assert/strict";
import fc from "fast-check";
import tzlookup from "@photostructure/tz-lookup";
import { distance } from "geokdbush";
import { generateWeatherFile } from "../scripts/gen_data.ts";
import {
  climateConditions,
  climateTemperature,
  currentConditions,
  hourlySeries,
  type ModelInput,
} from "../src/model/forecast.ts";
import {
  createPlaces,
  float32Text,
  MATCH_RADIUS_KM,
  PLACE_CACHE_LIMIT,
  snapToCell,
} from "../src/model/places.ts";
import type { HourlySeries } from "../src/model/variables.ts";
import { type City, CurrentSchema, WeatherFileSchema } from "../src/schema.ts";
import { WMO_CODES } from "../src/wmo.ts";

const file = WeatherFileSchema.parse(
  JSON.parse(await Deno.readTextFile(new URL("../data/weather.json", import.meta.url))),
);
const HOUR = 3_600_000;
const NOW = Date.parse("2026-11-23T11:14:00Z");
// A denser world of invented cities, some with elevations, for the blend's properties.
const generated = generateWeatherFile({ cities: 3000, seed: 7, extras: 0.5 }).cities;

const arbitraryLatitude = fc.double({ min: -90, max: 90, noNaN: true });
const arbitraryLongitude = fc.double({ min: -180, max: 180, noNaN: true });
const arbitraryNow = fc.integer({ min: Date.UTC(2021, 0, 1), max: Date.UTC(2031, 0, 1) });
const arbitrarySeed = fc.integer({ min: 0, max: 0xffffffff });

/** The point `km` kilometres from (lat, lon) at bearing `bearing` (degrees), on a sphere. */
function offset(lat: number, lon: number, km: number, bearing: number): [number, number] {
  const R = 6371, d = km / R, b = bearing * Math.PI / 180, p1 = lat * Math.PI / 180, l1 = lon * Math.PI / 180;
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
  const l2 = l1 +
    Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return [p2 * 180 / Math.PI, ((l2 * 180 / Math.PI + 540) % 360) - 180];
}

/** Data cities by distance (km) from a point, nearest first. */
function byDistance(cities: readonly City[], lat: number, lon: number): { city: City; km: number }[] {
  return cities.map((city) => ({ city, km: distance(lon, lat, city.longitude, city.latitude) }))
    .sort((a, b) => a.km - b.km);
}

/** The consistency rules every hour of the model keeps (as tests/model_forecast_test.ts checks them in full). */
function checkSeries(s: HourlySeries, where: string): void {
  for (let i = 0; i < s.length; i++) {
    const at = `${where} at ${new Date(s.time[i]! * 1000).toISOString()}`;
    const t = s.temperature[i]!, code = s.weather_code[i]!, p = s.precipitation[i]!;
    assert.ok(WMO_CODES.has(code), `${at}: code ${code}`);
    assert.ok(s.dew_point[i]! <= t, `${at}: dew point ${s.dew_point[i]} above ${t}`);
    assert.ok(s.wind_gusts[i]! >= s.wind_speed[i]!, `${at}: gusts below wind`);
    assert.ok(s.relative_humidity[i]! >= 0 && s.relative_humidity[i]! <= 100, `${at}: humidity`);
    assert.ok(s.cloud_cover[i]! >= 0 && s.cloud_cover[i]! <= 100, `${at}: cloud`);
    assert.ok(s.wind_direction[i]! >= 0 && s.wind_direction[i]! < 360, `${at}: direction`);
    if (code <= 3) assert.equal(p, 0, `${at}: code ${code} with precipitation ${p}`);
    if (p > 0) assert.ok(code >= 51, `${at}: precipitation ${p} under code ${code}`);
    if (code >= 51 && code <= 67) assert.ok(s.rain[i]! > 0, `${at}: code ${code} without rain`);
    if ((code >= 71 && code <= 77) || code === 85 || code === 86) {
      assert.ok(s.snowfall[i]! > 0, `${at}: code ${code} without snow`);
    }
    if ((code >= 80 && code <= 82) || code >= 95) {
      assert.ok(s.showers[i]! > 0, `${at}: code ${code} without showers`);
    }
    if (code === 45 || code === 48) assert.ok(s.visibility[i]! < 1000, `${at}: fog, visibility`);
    if (i > 0) assert.ok(Math.abs(t - s.temperature[i - 1]!) <= 6, `${at}: jump to ${t}`);
  }
}

Deno.test("snapToCell() reports Open-Meteo's cells for its worked examples", () => {
  const berlin = snapToCell(52.52, 13.41);
  assert.deepEqual([float32Text(berlin.latitude), float32Text(berlin.longitude)], ["52.52", "13.419998"]);
  const freiburg = snapToCell(47.64, 7.78);
  assert.deepEqual([float32Text(freiburg.latitude), float32Text(freiburg.longitude)], ["47.64", "7.7799993"]);
  // ICON-EU outside the ICON-D2 box, the global 0.25° grid elsewhere, wrapping at 180°.
  assert.deepEqual(snapToCell(40.03, -5), { latitude: 40, longitude: -5 });
  assert.deepEqual(snapToCell(35.6762, 139.6503), { latitude: 35.75, longitude: 139.75 });
  assert.deepEqual(snapToCell(40, 179.99), { latitude: 40, longitude: -180 });
  assert.deepEqual(snapToCell(-90, -180), { latitude: -90, longitude: -180 });
});

Deno.test("snapToCell() throws a RangeError for coordinates out of range", () => {
  for (const [lat, lon] of [[91, 0], [0, 181], [NaN, 0], [0, -Infinity]]) {
    assert.throws(() => snapToCell(lat!, lon!), RangeError);
  }
});

Deno.test("snapToCell() is idempotent and stays within half a cell", () => {
  fc.assert(
    fc.property(arbitraryLatitude, arbitraryLongitude, (lat, lon) => {
      const cell = snapToCell(lat, lon);
      assert.deepEqual(snapToCell(cell.latitude, cell.longitude), cell);
      assert.equal(Math.fround(cell.latitude), cell.latitude);
      assert.equal(Math.fround(cell.longitude), cell.longitude);
      const inD2 = lat >= 43.18 && lat <= 58.08 && lon >= -3.94 && lon <= 20.34;
      const half = (inD2 ? 0.01 : 0.125) + 1e-5;
      const dLon = Math.abs(((cell.longitude - lon + 540) % 360) - 180);
      assert.ok(
        Math.abs(cell.latitude - lat) <= half && dLon <= half,
        `${lat},${lon} → ${JSON.stringify(cell)}`,
      );
    }),
    { numRuns: 2000 },
  );
});

Deno.test("float32Text() prints as Swift's Float description", () => {
  const cases: [number, string][] = [
    [52.52, "52.52"],
    [13.419998168945312, "13.419998"],
    [38, "38.0"],
    [7.779999256134033, "7.7799993"],
    [-0.5, "-0.5"],
    [0, "0.0"],
    [0.0001, "0.0001"],
    [1e-5, "1e-05"],
    [16_777_216, "1.6777216e+07"],
    [3.4028234663852886e38, "3.4028235e+38"],
  ];
  for (const [x, text] of cases) assert.equal(float32Text(x), text, String(x));
});

Deno.test("float32Text() reads back as the same float32, in the fewest digits", () => {
  fc.assert(
    fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (x) => {
      const text = float32Text(x);
      assert.ok(Object.is(Math.fround(Number(text)), x) || (x === 0 && Number(text) === 0), `${x} → ${text}`);
      const digits = text.replace(/^-/, "").replace(/e.*$/, "").replace(".", "").replace(/^0+/, "")
        .replace(/0+$/, "");
      for (let p = 1; p < Math.max(1, digits.length); p++) {
        assert.notEqual(Math.fround(Number(x.toPrecision(p))), x, `${x} → ${text}, but ${x.toPrecision(p)}`);
      }
      if (Math.abs(x) >= 0.00011 && Math.abs(x) < 16_777_216) {
        assert.match(text, /^-?\d+\.\d+$/);
      }
    }),
    { numRuns: 3000 },
  );
});

Deno.test("Places.at() is each bundled city at its own coordinates and 500 m from them", () => {
  const places = createPlaces(file.cities);
  fc.assert(
    fc.property(fc.double({ min: 0, max: 360, noNaN: true }), arbitrarySeed, (bearing, seed) => {
      file.cities.forEach((city, i) => {
        const own = places.at(city.latitude, city.longitude, seed, NOW);
        assert.equal(own.city, city, city.name);
        assert.equal(own.dataIndex, i);
        assert.equal(own.timezone, city.timezone);
        assert.equal(own.elevation, city.elevation ?? 0);
        assert.deepEqual(own.cell, snapToCell(city.latitude, city.longitude));
        const [lat, lon] = offset(city.latitude, city.longitude, 0.5, bearing);
        assert.equal(places.at(lat, lon, seed, NOW).city, city, `${city.name}, 500 m at ${bearing}°`);
      });
    }),
    { numRuns: 20 },
  );
  assert.equal(places.cached, 0);
});

Deno.test("Places.at() answers a point in a city's cell as the city, and one farther than its cell as a synthetic place", () => {
  // A city in the middle of a 0.25° cell: 10 km away is still its cell, 30 km is not.
  const city = { ...file.cities[0]!, latitude: 35.5, longitude: 139.5 };
  const places = createPlaces([city]);
  const inside = places.at(35.58, 139.58, 0, NOW);
  assert.equal(inside.city, city);
  assert.ok(distance(139.58, 35.58, 139.5, 35.5) > MATCH_RADIUS_KM);
  const outside = places.at(35.8, 139.5, 0, NOW);
  assert.equal(outside.dataIndex, undefined);
  assert.equal(outside.city.name, "35.75,139.5");
});

Deno.test("Places.at() finds a city across the 180th meridian and near a pole", () => {
  const east = { ...file.cities[0]!, latitude: -16.5, longitude: 179.995 };
  const pole = { ...file.cities[1]!, latitude: 89.995, longitude: 0 };
  const places = createPlaces([east, pole]);
  assert.equal(places.at(-16.5, -179.995, 0, NOW).city, east);
  assert.equal(places.at(89.999, 120, 0, NOW).city, pole);
});

Deno.test("Places.at() far from cities gives a synthetic place whose 48 hours keep the model's rules", () => {
  const places = createPlaces(file.cities);
  fc.assert(
    fc.property(arbitraryLatitude, arbitraryLongitude, arbitrarySeed, arbitraryNow, (lat, lon, seed, now) => {
      const place = places.at(lat, lon, seed, now);
      if (place.dataIndex !== undefined) return;
      CurrentSchema.parse(place.city.current);
      assert.equal(place.timezone, tzlookup(lat, lon));
      assert.equal(place.city.timezone, place.timezone);
      assert.equal(place.city.elevation, place.elevation);
      const input: ModelInput = { city: place.city, seed, now };
      const c = currentConditions(input);
      assert.equal(c.temperature, place.city.current.temperature);
      assert.equal(c.weather_code, place.city.current.weather_code);
      const from = Math.floor(now / HOUR) * HOUR;
      checkSeries(hourlySeries(input, from, 48), place.city.name);
    }),
    { numRuns: 150 },
  );
});

Deno.test("Places.at() is deterministic: the same object from its cache, equal values from another", () => {
  const a = createPlaces(generated), b = createPlaces(generated);
  fc.assert(
    fc.property(arbitraryLatitude, arbitraryLongitude, arbitrarySeed, arbitraryNow, (lat, lon, seed, now) => {
      const first = a.at(lat, lon, seed, now);
      const slot = Math.floor(now / 900_000) * 900_000;
      const again = a.at(lat, lon, seed, slot + 60_000);
      // A data city is a new Place around the same City; a synthetic one the same Place.
      if (first.dataIndex === undefined) assert.equal(again, first, "the same 15-minute slot");
      assert.equal(again.city, first.city);
      assert.deepEqual(b.at(lat, lon, seed, now), first);
      if (first.dataIndex === undefined) assert.equal(first.timezone, tzlookup(lat, lon));
    }),
    { numRuns: 300 },
  );
});

Deno.test("a synthetic current lies between its neighbours' and the climate's temperatures, moved to the cell", () => {
  const places = createPlaces(generated), none = createPlaces([]);
  fc.assert(
    fc.property(arbitraryLatitude, arbitraryLongitude, arbitrarySeed, arbitraryNow, (lat, lon, seed, now) => {
      const place = places.at(lat, lon, seed, now);
      if (place.dataIndex !== undefined) return;
      const { cell, elevation } = place;
      const slot = Math.floor(now / 900_000) * 900_000;
      const here = climateTemperature(cell.latitude, elevation, slot);
      // The climate alone at this cell is the place of no data, at sea level: moved up by the lapse rate.
      const climate = none.at(lat, lon, seed, now).city.current.temperature - 0.0065 * elevation;
      const moved = byDistance(generated, cell.latitude, cell.longitude).slice(0, 8).filter((n) =>
        n.km < 1000
      )
        .map(({ city }) =>
          city.current.temperature + here - climateTemperature(city.latitude, city.elevation ?? 0, slot)
        );
      const t = place.city.current.temperature;
      const lo = Math.min(climate, ...moved) - 0.11, hi = Math.max(climate, ...moved) + 0.11;
      assert.ok(t >= lo && t <= hi, `${t} outside ${lo}..${hi} at ${cell.latitude},${cell.longitude}`);
      // Elevation: between sea level and the cities within 100 km.
      const heights = byDistance(generated, cell.latitude, cell.longitude).filter((n) => n.km < 100)
        .map((n) => n.city.elevation ?? 0);
      const low = Math.min(0, ...heights), high = Math.max(0, ...heights);
      assert.ok(elevation >= low && elevation <= high, `elevation ${elevation} outside ${low}..${high}`);
    }),
    { numRuns: 200 },
  );
});

Deno.test("synthetic places far from every city are the climate alone", () => {
  const places = createPlaces(file.cities), none = createPlaces([]);
  let checked = 0;
  fc.assert(
    fc.property(arbitraryLatitude, arbitraryLongitude, arbitrarySeed, arbitraryNow, (lat, lon, seed, now) => {
      const cell = snapToCell(lat, lon);
      if (byDistance(file.cities, cell.latitude, cell.longitude)[0]!.km < 1000) return;
      checked++;
      const place = places.at(lat, lon, seed, now), alone = none.at(lat, lon, seed, now);
      assert.equal(place.elevation, 0);
      assert.deepEqual(place.city, alone.city);
      CurrentSchema.parse(alone.city.current);
    }),
    { numRuns: 200 },
  );
  assert.ok(checked > 20, `only ${checked} points far from every city`);
});

Deno.test("synthetic currents are continuous: points 2 km apart away from cities differ by a little", () => {
  const places = createPlaces(file.cities);
  fc.assert(
    fc.property(
      fc.double({ min: -80, max: 80, noNaN: true }),
      arbitraryLongitude,
      fc.double({ min: 0, max: 360, noNaN: true }),
      arbitrarySeed,
      arbitraryNow,
      (lat, lon, bearing, seed, now) => {
        const [lat2, lon2] = offset(lat, lon, 2, bearing);
        for (const [a, b] of [[lat, lon], [lat2, lon2]]) {
          if (byDistance(file.cities, a!, b!)[0]!.km < 100) return;
        }
        const t1 = places.at(lat, lon, seed, now).city.current.temperature;
        const t2 = places.at(lat2, lon2, seed, now).city.current.temperature;
        assert.ok(Math.abs(t1 - t2) <= 2, `${t1} at ${lat},${lon} but ${t2} 2 km away`);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("Places keeps at most maxCached synthetic places, dropping the least recently used", () => {
  assert.equal(PLACE_CACHE_LIMIT, 10_000);
  const places = createPlaces([], { maxCached: 3 });
  const first = places.at(0, 0, 0, NOW);
  places.at(0, 1, 0, NOW);
  places.at(0, 2, 0, NOW);
  assert.equal(places.at(0, 0, 0, NOW), first); // used again: (0, 1) is now the oldest
  places.at(0, 3, 0, NOW);
  assert.equal(places.cached, 3);
  assert.equal(places.at(0, 0, 0, NOW), first);
  const again = places.at(0, 1, 0, NOW);
  assert.deepEqual(again, places.at(0, 1, 0, NOW));
  assert.equal(places.cached, 3);
  assert.throws(() => createPlaces([], { maxCached: 0 }), RangeError);
});

Deno.test("createPlaces() reads no city until the first Places.at()", () => {
  let reads = 0;
  const cities = new Proxy(file.cities, {
    get(target, key, receiver) {
      if (typeof key === "string" && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  const places = createPlaces(cities);
  assert.equal(reads, 0);
  places.at(35.6762, 139.6503, 0, NOW);
  assert.ok(reads >= file.cities.length);
});

Deno.test("Places.at() throws a RangeError for bad coordinates and seeds", () => {
  const places = createPlaces(file.cities);
  assert.throws(() => places.at(100, 0, 0, NOW), RangeError);
  assert.throws(() => places.at(0, 0, -1, NOW), RangeError);
  assert.throws(() => places.at(0, 0, 1.5, NOW), RangeError);
  assert.throws(() => places.at(0, 0, 0, NaN), TypeError);
});

Deno.test("climateConditions() is the model's unanchored weather, a valid current", () => {
  fc.assert(
    fc.property(arbitraryLatitude, arbitraryLongitude, arbitrarySeed, arbitraryNow, (lat, lon, seed, now) => {
      const place = { name: "somewhere", latitude: lat, longitude: lon, timezone: "UTC", elevation: 500 };
      const c = climateConditions(place, seed, now);
      CurrentSchema.parse(c);
      assert.deepEqual(climateConditions(place, seed, now), c);
      assert.equal(c.condition, WMO_CODES.get(c.weather_code));
      const slot = new Date(Math.floor(now / 900_000) * 900_000).toISOString();
      assert.equal(new Date(c.observed_at).toISOString(), slot);
    }),
    { numRuns: 200 },
  );
});
