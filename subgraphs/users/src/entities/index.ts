import { Address } from './address.entity';
import { EmailToken } from './email-token.entity';
import { RefreshToken } from './refresh-token.entity';
import { User } from './user.entity';

export { Address, EmailToken, RefreshToken, User };
export type { EmailTokenPurpose } from './email-token.entity';
export { Role } from './role.enum';

/** Every entity of this subgraph, passed to openDatabase explicitly (no folder discovery). */
export const entities = [User, RefreshToken, Address, EmailToken];
