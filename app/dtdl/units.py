"""Semantic types and their units, per DTDL version (data from the DTDL v2 and v3 specs)."""

from __future__ import annotations

V2_SEMANTIC_TYPES: dict[str, str] = {
    "Acceleration": "AccelerationUnit",
    "Angle": "AngleUnit",
    "AngularAcceleration": "AngularAccelerationUnit",
    "AngularVelocity": "AngularVelocityUnit",
    "Area": "AreaUnit",
    "Capacitance": "CapacitanceUnit",
    "Current": "CurrentUnit",
    "DataRate": "DataRateUnit",
    "DataSize": "DataSizeUnit",
    "Density": "DensityUnit",
    "Distance": "LengthUnit",
    "ElectricCharge": "ChargeUnit",
    "Energy": "EnergyUnit",
    "Force": "ForceUnit",
    "Frequency": "FrequencyUnit",
    "Humidity": "DensityUnit",
    "Illuminance": "IlluminanceUnit",
    "Inductance": "InductanceUnit",
    "Latitude": "AngleUnit",
    "Length": "LengthUnit",
    "Longitude": "AngleUnit",
    "Luminance": "LuminanceUnit",
    "Luminosity": "PowerUnit",
    "LuminousFlux": "LuminousFluxUnit",
    "LuminousIntensity": "LuminousIntensityUnit",
    "MagneticFlux": "MagneticFluxUnit",
    "MagneticInduction": "MagneticInductionUnit",
    "Mass": "MassUnit",
    "MassFlowRate": "MassFlowRateUnit",
    "Power": "PowerUnit",
    "Pressure": "PressureUnit",
    "RelativeHumidity": "Unitless",
    "Resistance": "ResistanceUnit",
    "SoundPressure": "SoundPressureUnit",
    "Temperature": "TemperatureUnit",
    "Thrust": "ForceUnit",
    "TimeSpan": "TimeUnit",
    "Torque": "TorqueUnit",
    "Velocity": "VelocityUnit",
    "Voltage": "VoltageUnit",
    "Volume": "VolumeUnit",
    "VolumeFlowRate": "VolumeFlowRateUnit",
}
V2_UNITS: dict[str, frozenset[str]] = {
    "AccelerationUnit": frozenset(
        {"centimetrePerSecondSquared", "gForce", "metrePerSecondSquared"}
    ),
    "AngleUnit": frozenset({"degreeOfArc", "minuteOfArc", "radian", "secondOfArc", "turn"}),
    "AngularAccelerationUnit": frozenset({"radianPerSecondSquared"}),
    "AngularVelocityUnit": frozenset(
        {"degreePerSecond", "radianPerSecond", "revolutionPerMinute", "revolutionPerSecond"}
    ),
    "AreaUnit": frozenset(
        {
            "acre",
            "hectare",
            "squareCentimetre",
            "squareFoot",
            "squareInch",
            "squareKilometre",
            "squareMetre",
            "squareMillimetre",
        }
    ),
    "CapacitanceUnit": frozenset({"farad", "microfarad", "millifarad", "nanofarad", "picofarad"}),
    "ChargeUnit": frozenset({"coulomb"}),
    "CurrentUnit": frozenset({"ampere", "microampere", "milliampere"}),
    "DataRateUnit": frozenset(
        {
            "bitPerSecond",
            "bytePerSecond",
            "exbibitPerSecond",
            "exbibytePerSecond",
            "gibibitPerSecond",
            "gibibytePerSecond",
            "kibibitPerSecond",
            "kibibytePerSecond",
            "mebibitPerSecond",
            "mebibytePerSecond",
            "tebibitPerSecond",
            "tebibytePerSecond",
            "yobibitPerSecond",
            "yobibytePerSecond",
            "zebibitPerSecond",
            "zebibytePerSecond",
        }
    ),
    "DataSizeUnit": frozenset(
        {
            "bit",
            "byte",
            "exbibit",
            "exbibyte",
            "gibibit",
            "gibibyte",
            "kibibit",
            "kibibyte",
            "mebibit",
            "mebibyte",
            "tebibit",
            "tebibyte",
            "yobibit",
            "yobibyte",
            "zebibit",
            "zebibyte",
        }
    ),
    "DensityUnit": frozenset({"gramPerCubicMetre", "kilogramPerCubicMetre"}),
    "EnergyUnit": frozenset(
        {
            "electronvolt",
            "gigajoule",
            "joule",
            "kilojoule",
            "kilowattHour",
            "megaelectronvolt",
            "megajoule",
        }
    ),
    "ForceUnit": frozenset({"newton", "ounce", "pound", "ton"}),
    "FrequencyUnit": frozenset({"gigahertz", "hertz", "kilohertz", "megahertz"}),
    "IlluminanceUnit": frozenset({"footcandle", "lux"}),
    "InductanceUnit": frozenset({"henry", "microhenry", "millihenry"}),
    "LengthUnit": frozenset(
        {
            "astronomicalUnit",
            "centimetre",
            "foot",
            "inch",
            "kilometre",
            "metre",
            "micrometre",
            "mile",
            "millimetre",
            "nanometre",
            "nauticalMile",
        }
    ),
    "LuminanceUnit": frozenset({"candelaPerSquareMetre"}),
    "LuminousFluxUnit": frozenset({"lumen"}),
    "LuminousIntensityUnit": frozenset({"candela"}),
    "MagneticFluxUnit": frozenset({"maxwell", "weber"}),
    "MagneticInductionUnit": frozenset({"tesla"}),
    "MassFlowRateUnit": frozenset(
        {"gramPerHour", "gramPerSecond", "kilogramPerHour", "kilogramPerSecond"}
    ),
    "MassUnit": frozenset({"gram", "kilogram", "microgram", "milligram", "slug", "tonne"}),
    "PowerUnit": frozenset(
        {
            "gigawatt",
            "horsepower",
            "kilowatt",
            "kilowattHourPerYear",
            "megawatt",
            "microwatt",
            "milliwatt",
            "watt",
        }
    ),
    "PressureUnit": frozenset(
        {
            "bar",
            "inchesOfMercury",
            "inchesOfWater",
            "kilopascal",
            "millibar",
            "millimetresOfMercury",
            "pascal",
            "poundPerSquareInch",
        }
    ),
    "ResistanceUnit": frozenset({"kiloohm", "megaohm", "milliohm", "ohm"}),
    "SoundPressureUnit": frozenset({"bel", "decibel"}),
    "TemperatureUnit": frozenset({"degreeCelsius", "degreeFahrenheit", "kelvin"}),
    "TimeUnit": frozenset(
        {"day", "hour", "microsecond", "millisecond", "minute", "nanosecond", "second", "year"}
    ),
    "TorqueUnit": frozenset({"newtonMetre"}),
    "Unitless": frozenset({"percent", "unity"}),
    "VelocityUnit": frozenset(
        {
            "centimetrePerSecond",
            "kilometrePerHour",
            "kilometrePerSecond",
            "knot",
            "metrePerHour",
            "metrePerSecond",
            "milePerHour",
            "milePerSecond",
        }
    ),
    "VoltageUnit": frozenset({"kilovolt", "megavolt", "microvolt", "millivolt", "volt"}),
    "VolumeFlowRateUnit": frozenset(
        {"litrePerHour", "litrePerSecond", "millilitrePerHour", "millilitrePerSecond"}
    ),
    "VolumeUnit": frozenset(
        {
            "cubicCentimetre",
            "cubicFoot",
            "cubicInch",
            "cubicMetre",
            "fluidOunce",
            "gallon",
            "litre",
            "millilitre",
        }
    ),
}

V3_SEMANTIC_TYPES: dict[str, str] = {
    "Acceleration": "AccelerationUnit",
    "Angle": "AngleUnit",
    "AngularAcceleration": "AngularAccelerationUnit",
    "AngularVelocity": "AngularVelocityUnit",
    "ApparentEnergy": "ApparentEnergyUnit",
    "ApparentPower": "ApparentPowerUnit",
    "Area": "AreaUnit",
    "Capacitance": "CapacitanceUnit",
    "Concentration": "Unitless",
    "Current": "CurrentUnit",
    "DataRate": "DataRateUnit",
    "DataSize": "DataSizeUnit",
    "Density": "DensityUnit",
    "Distance": "LengthUnit",
    "ElectricCharge": "ChargeUnit",
    "Energy": "EnergyUnit",
    "EnergyRate": "PowerUnit",
    "Force": "ForceUnit",
    "Frequency": "FrequencyUnit",
    "Humidity": "DensityUnit",
    "Illuminance": "IlluminanceUnit",
    "Inductance": "InductanceUnit",
    "IonizingRadiationDose": "IonizingRadiationDoseUnit",
    "Irradiance": "IrradianceUnit",
    "Latitude": "AngleUnit",
    "Length": "LengthUnit",
    "Longitude": "AngleUnit",
    "Luminance": "LuminanceUnit",
    "Luminosity": "PowerUnit",
    "LuminousFlux": "LuminousFluxUnit",
    "LuminousIntensity": "LuminousIntensityUnit",
    "MagneticFlux": "MagneticFluxUnit",
    "MagneticInduction": "MagneticInductionUnit",
    "Mass": "MassUnit",
    "MassFlowRate": "MassFlowRateUnit",
    "Power": "PowerUnit",
    "Pressure": "PressureUnit",
    "Radioactivity": "RadioactivityUnit",
    "ReactiveEnergy": "ReactiveEnergyUnit",
    "ReactivePower": "ReactivePowerUnit",
    "RelativeDensity": "Unitless",
    "RelativeHumidity": "Unitless",
    "Resistance": "ResistanceUnit",
    "SoundPressure": "SoundPressureUnit",
    "Temperature": "TemperatureUnit",
    "Thrust": "ForceUnit",
    "TimeSpan": "TimeUnit",
    "Torque": "TorqueUnit",
    "Velocity": "VelocityUnit",
    "Voltage": "VoltageUnit",
    "Volume": "VolumeUnit",
    "VolumeFlowRate": "VolumeFlowRateUnit",
}
V3_UNITS: dict[str, frozenset[str]] = {
    "AccelerationUnit": frozenset(
        {"centimetrePerSecondSquared", "gForce", "metrePerSecondSquared"}
    ),
    "AngleUnit": frozenset({"degreeOfArc", "minuteOfArc", "radian", "secondOfArc", "turn"}),
    "AngularAccelerationUnit": frozenset({"radianPerSecondSquared"}),
    "AngularVelocityUnit": frozenset(
        {"degreePerSecond", "radianPerSecond", "revolutionPerMinute", "revolutionPerSecond"}
    ),
    "ApparentEnergyUnit": frozenset(
        {"gigavoltAmpereHour", "kilovoltAmpereHour", "megavoltAmpereHour", "voltAmpereHour"}
    ),
    "ApparentPowerUnit": frozenset(
        {"gigavoltAmpere", "kilovoltAmpere", "megavoltAmpere", "millivoltAmpere", "voltAmpere"}
    ),
    "AreaUnit": frozenset(
        {
            "acre",
            "hectare",
            "squareCentimetre",
            "squareFoot",
            "squareInch",
            "squareKilometre",
            "squareMetre",
            "squareMillimetre",
        }
    ),
    "CapacitanceUnit": frozenset({"farad", "microfarad", "millifarad", "nanofarad", "picofarad"}),
    "ChargeUnit": frozenset({"ampereHour", "coulomb", "milliampereHour"}),
    "CurrentUnit": frozenset({"ampere", "kiloampere", "microampere", "milliampere"}),
    "DataRateUnit": frozenset(
        {
            "bitPerSecond",
            "bytePerSecond",
            "exbibitPerSecond",
            "exbibytePerSecond",
            "gibibitPerSecond",
            "gibibytePerSecond",
            "kibibitPerSecond",
            "kibibytePerSecond",
            "mebibitPerSecond",
            "mebibytePerSecond",
            "tebibitPerSecond",
            "tebibytePerSecond",
            "yobibitPerSecond",
            "yobibytePerSecond",
            "zebibitPerSecond",
            "zebibytePerSecond",
        }
    ),
    "DataSizeUnit": frozenset(
        {
            "bit",
            "byte",
            "exbibit",
            "exbibyte",
            "gibibit",
            "gibibyte",
            "kibibit",
            "kibibyte",
            "mebibit",
            "mebibyte",
            "tebibit",
            "tebibyte",
            "yobibit",
            "yobibyte",
            "zebibit",
            "zebibyte",
        }
    ),
    "DensityUnit": frozenset(
        {
            "gramPerCubicMetre",
            "kilogramPerCubicMetre",
            "microgramPerCubicMetre",
            "milligramPerCubicMetre",
        }
    ),
    "EnergyUnit": frozenset(
        {
            "britishThermalUnit",
            "electronvolt",
            "gigajoule",
            "gigawattHour",
            "joule",
            "kiloBritishThermalUnit",
            "kilojoule",
            "kilowattHour",
            "megaelectronvolt",
            "megajoule",
            "megawattHour",
            "milliwattHour",
            "terawattHour",
            "wattHour",
        }
    ),
    "ForceUnit": frozenset({"newton", "ounce", "pound", "ton"}),
    "FrequencyUnit": frozenset({"gigahertz", "hertz", "kilohertz", "megahertz", "millihertz"}),
    "IlluminanceUnit": frozenset({"footcandle", "lux"}),
    "InductanceUnit": frozenset({"henry", "microhenry", "millihenry"}),
    "IonizingRadiationDoseUnit": frozenset(
        {"gray", "microgray", "microsievert", "milligray", "millisievert", "sievert"}
    ),
    "IrradianceUnit": frozenset({"wattPerSquareMetre"}),
    "LengthUnit": frozenset(
        {
            "astronomicalUnit",
            "centimetre",
            "foot",
            "inch",
            "kilometre",
            "metre",
            "micrometre",
            "mile",
            "millimetre",
            "nanometre",
            "nauticalMile",
        }
    ),
    "LuminanceUnit": frozenset({"candelaPerSquareMetre"}),
    "LuminousFluxUnit": frozenset({"lumen"}),
    "LuminousIntensityUnit": frozenset({"candela"}),
    "MagneticFluxUnit": frozenset({"maxwell", "weber"}),
    "MagneticInductionUnit": frozenset({"gauss", "tesla"}),
    "MassFlowRateUnit": frozenset(
        {"gramPerHour", "gramPerSecond", "kilogramPerHour", "kilogramPerSecond", "massPoundPerHour"}
    ),
    "MassUnit": frozenset(
        {"gram", "kilogram", "massPound", "microgram", "milligram", "slug", "tonne"}
    ),
    "PowerUnit": frozenset(
        {
            "britishThermalUnitPerHour",
            "gigajoulePerHour",
            "gigawatt",
            "horsepower",
            "joulePerHour",
            "joulePerSecond",
            "kiloBritishThermalUnitPerHour",
            "kilojoulePerHour",
            "kilojoulePerSecond",
            "kilowatt",
            "kilowattHourPerYear",
            "megajoulePerHour",
            "megawatt",
            "microwatt",
            "milliwatt",
            "tonOfRefrigeration",
            "watt",
        }
    ),
    "PressureUnit": frozenset(
        {
            "bar",
            "decapascal",
            "hectopascal",
            "inchesOfMercury",
            "inchesOfWater",
            "kilopascal",
            "millibar",
            "millimetresOfMercury",
            "pascal",
            "poundPerSquareInch",
        }
    ),
    "RadioactivityUnit": frozenset(
        {"becquerel", "gigabecquerel", "kilobecquerel", "megabecquerel"}
    ),
    "ReactiveEnergyUnit": frozenset(
        {
            "gigavoltAmpereReactiveHour",
            "kilovoltAmpereReactiveHour",
            "megavoltAmpereReactiveHour",
            "voltAmpereReactiveHour",
        }
    ),
    "ReactivePowerUnit": frozenset(
        {
            "gigavoltAmpereReactive",
            "kilovoltAmpereReactive",
            "megavoltAmpereReactive",
            "millivoltAmpereReactive",
            "voltAmpereReactive",
        }
    ),
    "ResistanceUnit": frozenset({"kiloohm", "megaohm", "milliohm", "ohm"}),
    "SoundPressureUnit": frozenset({"bel", "decibel"}),
    "TemperatureUnit": frozenset({"degreeCelsius", "degreeFahrenheit", "kelvin"}),
    "TimeUnit": frozenset(
        {"day", "hour", "microsecond", "millisecond", "minute", "nanosecond", "second", "year"}
    ),
    "TorqueUnit": frozenset({"newtonMetre"}),
    "Unitless": frozenset(
        {
            "partsPerBillion",
            "partsPerMillion",
            "partsPerQuadrillion",
            "partsPerTrillion",
            "percent",
            "unity",
        }
    ),
    "VelocityUnit": frozenset(
        {
            "centimetrePerSecond",
            "kilometrePerHour",
            "kilometrePerSecond",
            "knot",
            "metrePerHour",
            "metrePerSecond",
            "milePerHour",
            "milePerSecond",
        }
    ),
    "VoltageUnit": frozenset({"kilovolt", "megavolt", "microvolt", "millivolt", "volt"}),
    "VolumeFlowRateUnit": frozenset(
        {
            "cubicFootPerMinute",
            "cubicMetrePerHour",
            "cubicMetrePerMinute",
            "cubicMetrePerSecond",
            "gallonPerHour",
            "gallonPerMinute",
            "litrePerHour",
            "litrePerMinute",
            "litrePerSecond",
            "millilitrePerHour",
            "millilitrePerMinute",
            "millilitrePerSecond",
        }
    ),
    "VolumeUnit": frozenset(
        {
            "cubicCentimetre",
            "cubicFoot",
            "cubicInch",
            "cubicMetre",
            "fluidOunce",
            "gallon",
            "litre",
            "millilitre",
        }
    ),
}
