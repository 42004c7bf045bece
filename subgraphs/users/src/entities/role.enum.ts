import { registerEnumType } from 'type-graphql';
import type { Role as RoleName } from '@storegraph/common';

/** The contract's Role; values equal the names common's Caller carries. */
export const Role = { CUSTOMER: 'CUSTOMER', ADMIN: 'ADMIN' } as const satisfies Record<RoleName, RoleName>;

registerEnumType(Role, { name: 'Role' });
