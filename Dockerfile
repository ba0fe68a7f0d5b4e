# The reference orchestrator as an image, for the container driver
# (conformance/README.md, "The container driver"). The base kubelab/node:20 is
# made on this machine from its own node binary (conformance/harness/container-images.ts);
# nothing is pulled. node_modules is copied as it is: its native modules
# (better-sqlite3) were built for that same node binary.
#   kubelab images build        (or: docker build --pull=false -t kubelab/reference:dev .)
FROM kubelab/node:20
WORKDIR /app
# node_modules first, in a layer of its own: a change to the code reuses it.
COPY package.json package-lock.json /app/
COPY node_modules /app/node_modules
COPY kubelab.yaml tsconfig.json /app/
COPY bin /app/bin
COPY cli /app/cli
COPY labs /app/labs
COPY conformance /app/conformance
COPY reference /app/reference
# The commands of kubelab.yaml run here, in /app, with the contract's environment.
CMD ["node", "reference/launch.mjs", "reference/src/apiserver/main.ts"]
