import { Address } from './address.entity';
import { RefreshToken } from './refresh-token.entity';
import { User } from './user.entity';

export { Address, RefreshToken, User };
export { Role } from './role.enum';

/** Every entity of this subgraph, passed to openDatabase explicitly (no folder discovery). */
export const entities = [User, RefreshToken, Address];
