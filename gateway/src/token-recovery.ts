import type { ApolloServerPlugin } from '@apollo/server';
import { type FragmentDefinitionNode, Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { GatewayContext } from './context';

/**
 * The mutations a client holding a bad token needs to get a good one again (or to end
 * its login). SDKs send their stored token with every request, so refusing these for a
 * stale token would leave a client no way back short of forgetting the token first. A
 * shopper who forgot their password holds a dead token too: the reset mutations are
 * their way back in.
 */
export const RECOVERY_MUTATIONS: ReadonlySet<string> = new Set([
  'register',
  'login',
  'refreshToken',
  'logout',
  'requestPasswordReset',
  'resetPassword',
]);

/** Every root field the operation could select, through fragments, whatever its directives. */
function rootFields(selectionSet: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>, seen = new Set<string>()): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection.name.value];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFields(selection.selectionSet, fragments, seen);
    const name = selection.name.value;
    const fragment = fragments[name];
    if (!fragment || seen.has(name)) return [];
    seen.add(name);
    return rootFields(fragment.selectionSet, fragments, seen);
  });
}

/** True when the operation is a mutation that only signs up, signs in, refreshes, logs out or resets a password. */
export function onlyRecoversSession(operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>): boolean {
  if (operation.operation !== 'mutation') return false;
  const fields = rootFields(operation.selectionSet, fragments).filter((field) => field !== '__typename');
  return fields.length > 0 && fields.every((field) => RECOVERY_MUTATIONS.has(field));
}

/**
 * Refuses a request whose Authorization was bad (the context recorded why) unless it is
 * one of the recovery mutations, which then run as anonymous. A mixed operation is refused
 * whole: it would otherwise run its other fields as anonymous, the silent downgrade the
 * 401 exists to prevent.
 */
export function tokenRecoveryPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        // Errors thrown here reach the client as they are, with their HTTP status.
        async didResolveOperation({ contextValue, operation, document }) {
          if (!contextValue.tokenProblem) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const definition of document.definitions) {
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
          }
          if (!operation || !onlyRecoversSession(operation, fragments)) throw contextValue.tokenProblem;
        },
      };
    },
  };
}
