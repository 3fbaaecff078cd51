# Evaluates a Vagrantfile outside Vagrant and prints what it configures, as JSON: the box per
# provider (the provider block's override, else the global box), the box table constant, the
# provider blocks' networks, and the shell provisioner's inline script.
# A stand-in for Vagrant's configuration objects (named as such): only what the app's Vagrantfile
# calls is recorded; every other setting is accepted and ignored.
# Usage: ruby vagrantfile-harness.rb VAGRANTFILE   (environment as Vagrant would see it)
require "json"
require "rbconfig"

# Stand-in: records `x.y = v`, `x.y(args)`, nested `x.y.z = v` and `x[k] = v`.
class StandInConfig
  attr_reader :values, :calls

  def initialize
    @values = {}
    @calls = []
    @children = {}
  end

  def [](key)
    @children[key] ||= StandInConfig.new
  end

  def []=(key, value)
    @values[key] = value
  end

  def respond_to_missing?(_name, _all = false)
    true
  end

  def method_missing(name, *args, **kw, &block)
    n = name.to_s
    if n.end_with?("=")
      @values[n.chomp("=")] = args.first
    elsif args.empty? && kw.empty? && block.nil?
      @children[n] ||= StandInConfig.new
    else
      @calls << [n, args, kw]
      nil
    end
  end
end

# Stand-in for `config.vm`: records the box, networks, provider blocks and provisioners.
class StandInVm < StandInConfig
  attr_reader :providers, :provisions, :networks

  def initialize
    super
    @providers = {}
    @provisions = []
    @networks = []
  end

  def provider(name, &block)
    prov = StandInConfig.new
    override = StandInRoot.new
    block.call(prov, override)
    @providers[name.to_s] = { "config" => prov, "override" => override }
  end

  def provision(name, **opts)
    @provisions << { "name" => name.to_s, "type" => opts[:type].to_s, "inline" => opts[:inline].to_s }
  end

  def network(type, **opts)
    @networks << { "type" => type.to_s, "bridge" => opts[:bridge] }
  end
end

# Stand-in for the `config` object of `Vagrant.configure("2")`.
class StandInRoot < StandInConfig
  attr_reader :vm

  def initialize
    super
    @vm = StandInVm.new
  end
end

# Stand-in for the Vagrant module the Vagrantfile calls.
module Vagrant
  @roots = []
  class << self
    attr_reader :roots
  end

  def self.configure(_version)
    root = StandInRoot.new
    yield root
    @roots << root
  end
end

load ARGV.fetch(0)

root = Vagrant.roots.last
global_box = root.vm.values["box"]
boxes = {}
networks = {}
root.vm.providers.each do |name, p|
  boxes[name] = p["override"].vm.values["box"] || global_box
  networks[name] = p["override"].vm.networks
end
puts JSON.generate(
  "globalBox" => global_box,
  "boxes" => boxes,
  "table" => defined?(NETNS_STUDIO_BOXES) ? NETNS_STUDIO_BOXES : nil,
  "networks" => networks,
  "provisions" => root.vm.provisions
)
