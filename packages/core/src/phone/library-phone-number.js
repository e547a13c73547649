// The PhoneNumber class of the libphonenumber-js copy that core builds (tsdown.config.ts loads this
// file in place of the library's source/PhoneNumber.js, so the imports below are the library's own
// modules). libphonenumber-js's parse returns a PhoneNumber, whose format methods import the
// library's whole formatting code (format.js, national and international templates, RFC 3966,
// international prefixes): 1.2 kB gzip of every app that imports a provider, never called,
// since msgkit only reads numbers. This class has what parse sets and what msgkit reads (read.ts:
// number, country, countryCallingCode, nationalNumber, isValid, getType), computed as the
// library's class computes them; bundled-copy.test.ts holds the built package to the library's
// answers. Not used by the tests of the sources, which import the library as published.
import isValidNumber from './isValid.js'
import getNumberType from './helpers/getNumberType.js'
import getCountryAndCallingCodeFromOneOfThem from './helpers/getCountryAndCallingCodeFromOneOfThem.js'

export default class PhoneNumber {
	// parse passes a calling code, a national number and the metadata JSON.
	constructor(countryOrCountryCallingCode, nationalNumber, metadata) {
		const { country, callingCode } = getCountryAndCallingCodeFromOneOfThem(countryOrCountryCallingCode, metadata)
		this.country = country
		this.countryCallingCode = callingCode
		this.nationalNumber = nationalNumber
		this.number = '+' + callingCode + nationalNumber
		this.getMetadata = () => metadata
	}

	isValid() {
		return isValidNumber(this, { v2: true }, this.getMetadata())
	}

	getType() {
		return getNumberType(this, { v2: true }, this.getMetadata())
	}
}
