import { RefreshToken } from './refresh-token.entity';
import { User } from './user.entity';

export { RefreshToken, User };
export { Role } from './role.enum';

/** Every entity of this subgraph, passed to openDatabase explicitly (no folder discovery). */
export const entities = [User, RefreshToken];
