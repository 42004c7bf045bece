import { Arg, Directive, Field, ID, ObjectType, Query, Resolver } from 'type-graphql';
import { execute, parse } from 'graphql';
import { buildFederatedSchema, printSubgraphSdl } from '../../src';

@Directive('@key(fields: "id")')
@ObjectType()
class Thing {
  @Field(() => ID)
  id!: string;

  @Field(() => Date)
  createdAt!: Date;
}

@Resolver(() => Thing)
class ThingResolver {
  @Query(() => Thing, { nullable: true })
  thing(@Arg('id', () => ID) id: string): Thing {
    return Object.assign(new Thing(), { id, createdAt: new Date(0) });
  }
}

describe('buildFederatedSchema', () => {
  it('prints federation directives and resolves entities through the reference resolver', async () => {
    const loaded: string[] = [];
    const schema = await buildFederatedSchema({
      resolvers: [ThingResolver],
      referenceResolvers: {
        Thing: {
          __resolveReference: (ref: { id: string }) => {
            loaded.push(ref.id);
            return Object.assign(new Thing(), { id: ref.id, createdAt: new Date(0) });
          },
        },
      },
    });
    const sdl = printSubgraphSdl(schema);
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.7"');
    expect(sdl).toMatch(/type Thing\s+@key\(fields: "id"\)/);
    expect(sdl).toContain('scalar DateTime');

    const result = await execute({
      schema,
      document: parse('{ _entities(representations: [{__typename: "Thing", id: "a"}]) { ... on Thing { id createdAt } } thing(id: "b") { id } }'),
      contextValue: {},
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      _entities: [{ id: 'a', createdAt: '1970-01-01T00:00:00.000Z' }],
      thing: { id: 'b' },
    });
    expect(loaded).toEqual(['a']);
  });
});
