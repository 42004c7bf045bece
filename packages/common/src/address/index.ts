/**
 * The postal address rules users and orders share: users keeps the address book, orders
 * copies an address onto an order at checkout (an inline one is validated the same way).
 */
export { AddressInput } from './address.input';
export { ADDRESS_LIMITS, validateAddress, type AddressFields, type ValidAddress } from './address-validator';
export { COUNTRY_CODES } from './country-codes';
