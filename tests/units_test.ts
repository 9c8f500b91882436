import assert from "node:assert/strict";
import fc from "fast-check";
import {
  celsiusToFahrenheit,
  celsiusToKelvin,
  cityWeather,
  hpaToInHg,
  hpaToPa,
  isUnitSystem,
  kmhToMetresPerSecond,
  kmhToMph,
  round,
  UNITS,
} from "../src/units.ts";
import { bundled } from "./_helpers.ts";

Deno.test("unit conversions match hand-computed values", () => {
  assert.equal(celsiusToFahrenheit(0), 32);
  assert.equal(celsiusToFahrenheit(100), 212);
  assert.equal(celsiusToFahrenheit(-40), -40);
  assert.equal(celsiusToFahrenheit(14.2), 57.6); // 14.2 × 1.8 + 32 = 57.56
  assert.equal(celsiusToKelvin(14.2), 287.35);
  assert.equal(celsiusToKelvin(-273.15), 0);
  assert.equal(kmhToMph(100), 62.1); // 100 / 1.609344 = 62.137
  assert.equal(kmhToMph(11.5), 7.1); // 7.1457
  assert.equal(kmhToMetresPerSecond(36), 10);
  assert.equal(kmhToMetresPerSecond(11.5), 3.2); // 3.194
  assert.equal(hpaToInHg(1013.25), 29.92);
  assert.equal(hpaToInHg(1000), 29.53); // 29.5300
  assert.equal(hpaToPa(1013.2), 101320);
});

Deno.test("round() rounds half away from zero without binary surprises", () => {
  assert.equal(round(1.005, 2), 1.01);
  assert.equal(round(-1.25, 1), -1.3);
  assert.equal(round(-0.01, 1), 0);
  assert.ok(Object.is(round(-0.01, 1), 0));
  fc.assert(fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (x) => {
    assert.ok(Math.abs(round(x, 1) - x) <= 0.05 + 1e-9);
  }));
});

Deno.test("cityWeather() converts every measured field and names its units", () => {
  const tokyo = bundled.cities[bundled.index.find("Tokyo")!]!;
  const metric = cityWeather(tokyo, "metric");
  assert.deepEqual(metric.current, tokyo.current);
  assert.equal(metric.units.temperature, "°C");
  const imperial = cityWeather(tokyo, "imperial");
  assert.equal(imperial.current.temperature, celsiusToFahrenheit(tokyo.current.temperature));
  assert.equal(imperial.current.feels_like, celsiusToFahrenheit(tokyo.current.feels_like));
  assert.equal(imperial.current.wind_speed, kmhToMph(tokyo.current.wind_speed));
  assert.equal(imperial.current.pressure, hpaToInHg(tokyo.current.pressure));
  assert.equal(imperial.current.humidity, tokyo.current.humidity);
  assert.equal(imperial.current.wind_direction, tokyo.current.wind_direction);
  assert.deepEqual(imperial.units, UNITS.imperial);
  const si = cityWeather(tokyo, "si");
  assert.equal(si.current.temperature, 287.35);
  assert.equal(si.current.pressure, hpaToPa(tokyo.current.pressure));
  assert.equal(si.units.pressure, "Pa");
});

Deno.test("isUnitSystem() knows exactly metric, imperial and si", () => {
  assert.ok(isUnitSystem("metric") && isUnitSystem("imperial") && isUnitSystem("si"));
  assert.ok(!isUnitSystem("Metric") && !isUnitSystem("kelvin") && !isUnitSystem(""));
});
