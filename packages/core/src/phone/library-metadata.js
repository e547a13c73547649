// The metadata module of the libphonenumber-js copy that core builds: tsdown.config.ts (and the
// bundle bench's from-sources plugin) load this file in place of the library's source/metadata.js.
// The library's module reads every metadata format it ever shipped (v1 to v4: `this.v1 ? 2 : this.v2
// ? 3 : 4` on every accessor, a semver compare, pre-v4 "001" workarounds) and carries methods only
// its formatter and AsYouType call. Core's copy only ever reads two metadata, both version 4 (the
// derived send metadata and the library's max metadata), so this module reads version 4 alone and
// refuses any other when it is loaded into a Metadata (code METADATA_VERSION), instead of reading
// it wrong. It keeps what the library's modules that core bundles call (parse, isValid,
// getNumberType, isPossible and their helpers) and what core's digits.ts and plan.ts call, computed
// as the library computes it for version 4; library-metadata.test.ts compares every answer with
// the library's. Not used by the tests of the sources, which import the library as published, and
// never an app's own libphonenumber-js.

// A country's array in version 4 metadata (the library's NumberingPlan accessors for v4).
const CALLING_CODE = 0
const IDD_PREFIX = 1
const NATIONAL_NUMBER_PATTERN = 2
const POSSIBLE_LENGTHS = 3
const FORMATS = 4
const NATIONAL_PREFIX = 5
const NATIONAL_PREFIX_FORMATTING_RULE = 6
const NATIONAL_PREFIX_FOR_PARSING = 7
const NATIONAL_PREFIX_TRANSFORM_RULE = 8
const LEADING_DIGITS = 10
const TYPES = 11
const EXT_PREFIX = 13

// Where each number type sits in a country's types array.
const TYPE_INDEX = { FIXED_LINE: 0, MOBILE: 1, TOLL_FREE: 2, PREMIUM_RATE: 3, PERSONAL_NUMBER: 4, VOICEMAIL: 5, UAN: 6, PAGER: 7, VOIP: 8, SHARED_COST: 9 }

// One object (a literal in the method would be a new RegExp on every call).
const CALLING_CODE_PATTERN = /^\d+$/

const DEFAULT_EXT_PREFIX = ' ext. '

// Throws unless the metadata is version 4 with its non-geographic plans: the only shape this module
// reads (the library's own answers for older shapes differ, e.g. where the calling codes list "001").
function checkVersion(metadata) {
	if (!metadata || metadata.version !== 4 || !metadata.countries || !metadata.nonGeographic) {
		const error = new Error(`METADATA_VERSION: @msgkit/core reads version 4 metadata only, got ${metadata && metadata.version}`)
		error.code = 'METADATA_VERSION'
		throw error
	}
}

export default class Metadata {
	constructor(metadata) {
		checkVersion(metadata)
		this.metadata = metadata
		// digits.ts reads the library's own flag to know the shape it follows.
		this.v4 = true
	}

	nonGeographic() {
		return this.metadata.nonGeographic
	}

	// `!== undefined`, as the library has it (not own properties only).
	hasCountry(country) {
		return this.metadata.countries[country] !== undefined
	}

	hasCallingCode(callingCode) {
		return this.getCountryCodesForCallingCode(callingCode) || this.nonGeographic()[callingCode] ? true : undefined
	}

	isNonGeographicCallingCode(callingCode) {
		return this.nonGeographic()[callingCode] ? true : false
	}

	// Called with a country or a calling code (every caller in core's copy passes one argument); the
	// library's "001" case is for its second, legacy argument.
	selectNumberingPlan(countryOrCallingCode) {
		if (!countryOrCallingCode) {
			this.numberingPlan = undefined
		} else if (CALLING_CODE_PATTERN.test(countryOrCallingCode)) {
			if (!this.hasCallingCode(countryOrCallingCode)) throw new Error(`Unknown calling code: ${countryOrCallingCode}`)
			this.numberingPlan = new NumberingPlan(this.getNumberingPlanMetadata(countryOrCallingCode), this)
		} else {
			const country = this.metadata.countries[countryOrCallingCode]
			if (!country) throw new Error(`Unknown country: ${countryOrCallingCode}`)
			this.numberingPlan = new NumberingPlan(country, this)
		}
		return this
	}

	// Version 4 lists only countries here (the library's "001" check is for older metadata).
	getCountryCodesForCallingCode(callingCode) {
		return this.metadata.country_calling_codes[callingCode]
	}

	// The plan of the calling code's main country (US for +1), else its non-geographic plan.
	getNumberingPlanMetadata(callingCode) {
		const countries = this.getCountryCodesForCallingCode(callingCode)
		const main = countries && countries[0]
		if (main) return this.metadata.countries[main]
		return this.nonGeographic()[callingCode] || undefined
	}

	hasSelectedNumberingPlan() {
		return this.numberingPlan !== undefined
	}

	// The library's shortcuts to the selected plan that its parse helpers call.
	countryCallingCode() { return this.numberingPlan.callingCode() }
	IDDPrefix() { return this.numberingPlan.IDDPrefix() }
	nationalNumberPattern() { return this.numberingPlan.nationalNumberPattern() }
	possibleLengths() { return this.numberingPlan.possibleLengths() }
	nationalPrefixTransformRule() { return this.numberingPlan.nationalPrefixTransformRule() }
	leadingDigits() { return this.numberingPlan.leadingDigits() }
	hasTypes() { return this.numberingPlan.hasTypes() }
	type(type) { return this.numberingPlan.type(type) }
}

class NumberingPlan {
	constructor(metadata, global) {
		this.global = global
		this.metadata = metadata
	}

	callingCode() { return this.metadata[CALLING_CODE] }
	IDDPrefix() { return this.metadata[IDD_PREFIX] }
	nationalNumberPattern() { return this.metadata[NATIONAL_NUMBER_PATTERN] }
	possibleLengths() { return this.metadata[POSSIBLE_LENGTHS] }
	nationalPrefix() { return this.metadata[NATIONAL_PREFIX] }
	nationalPrefixTransformRule() { return this.metadata[NATIONAL_PREFIX_TRANSFORM_RULE] }
	leadingDigits() { return this.metadata[LEADING_DIGITS] }

	// Countries that share a calling code keep their formats (and formatting rule) in its main
	// country's plan (CA's in US's).
	_mainCountry() {
		return this.global.getNumberingPlanMetadata(this.callingCode())
	}

	formats() {
		const formats = this.metadata[FORMATS] || this._mainCountry()[FORMATS] || []
		return formats.map((format) => new Format(format, this))
	}

	nationalPrefixFormattingRule() {
		return this.metadata[NATIONAL_PREFIX_FORMATTING_RULE] || this._mainCountry()[NATIONAL_PREFIX_FORMATTING_RULE]
	}

	// Not set explicitly: the national prefix.
	nationalPrefixForParsing() {
		return this.metadata[NATIONAL_PREFIX_FOR_PARSING] || this.nationalPrefix()
	}

	// Absent types are 0 or undefined.
	hasTypes() {
		return !!this.metadata[TYPES]
	}

	type(type) {
		const pattern = this.hasTypes() && this.metadata[TYPES][TYPE_INDEX[type]]
		if (pattern) return new Type(pattern, this)
	}
}

class Format {
	constructor(format, plan) {
		this._format = format
		this.metadata = plan
	}

	pattern() { return this._format[0] }
	leadingDigitsPatterns() { return this._format[2] || [] }
	nationalPrefixFormattingRule() { return this._format[3] || this.metadata.nationalPrefixFormattingRule() }
	// The format's own flag: the library falls back to the plan's (index 9), which no plan of version
	// 4 metadata sets (library-metadata.test.ts compares every format's answer with the library's).
	nationalPrefixIsOptionalWhenFormattingInNationalFormat() {
		return !!this._format[4]
	}
}

class Type {
	constructor(type, plan) {
		this.type = type
		this.metadata = plan
	}

	pattern() { return this.type[0] }
	possibleLengths() { return this.type[1] || this.metadata.possibleLengths() }
}

// The library's entry (core/index.js) re-exports these three; core's code does not call them but
// the library's parse helpers call the two first.

export function getCountryCallingCode(country, metadata) {
	const plan = new Metadata(metadata).metadata.countries[country]
	if (plan === undefined) throw new Error(`Unknown country: ${country}`)
	return plan[CALLING_CODE]
}

export function isSupportedCountry(country, metadata) {
	return metadata.countries.hasOwnProperty(country)
}

export function getExtPrefix(country, metadata) {
	const plan = new Metadata(metadata).metadata.countries[country]
	return (plan && plan[EXT_PREFIX]) || DEFAULT_EXT_PREFIX
}
